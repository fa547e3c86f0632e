/** The liability waiver a free session needs. A new text needs a new version. */
export const CURRENT_WAIVER = {
  version: '2026-11-01',
  title: 'Free session liability waiver',
  text: [
    'This free help session is general guidance from an independent mechanic, given remotely or at a workshop.',
    'The mechanic sees only what you show and tell them. Their advice is not a guarantee that a repair is safe,',
    'complete or suitable for your vehicle, and it does not replace an inspection by a qualified professional.',
    'You remain responsible for deciding whether to act on the advice, and for working safely: never work under',
    'a vehicle supported only by a jack, keep away from moving parts and hot surfaces, and stop if you are unsure.',
    'To the extent the law allows, you release the marketplace and the mechanic from liability for loss or damage',
    'arising from acting on advice given in a free session. Nothing in this waiver limits rights you have by law',
    'that cannot be limited. By typing your name and ticking the box you confirm that you have read and accept it.',
  ].join('\n'),
} as const;
