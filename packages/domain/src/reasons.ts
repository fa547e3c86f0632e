/** Why a request was cancelled, as a code the apps can branch on; the reason beside it is free text. */
export const CANCEL_CODES = ['no_mechanic_available'] as const;
export type CancelCode = (typeof CANCEL_CODES)[number];

/** The system's cancel when nobody took a request within the queue timeout. */
export const NO_MECHANIC_AVAILABLE = {
  code: 'no_mechanic_available',
  reason: 'no mechanic available',
} as const satisfies { code: CancelCode; reason: string };
