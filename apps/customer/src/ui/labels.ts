/**
 * The one source of each field's label. Every message shown for a field names it by this label,
 * whether the message came from the shared schema on this side or from the server: the schema's
 * own words for a field (`Vehicle make`, `Concern`) are replaced by the label the customer sees.
 */
export const LABELS = {
  customerName: 'Your name',
  vehicleYear: 'Vehicle year',
  vehicleMake: 'Make',
  vehicleModel: 'Model',
  concern: "What's going on?",
  sessionType: 'Session type',
  workshopId: 'Workshop',
  plan: 'Plan',
  urgent: 'Urgent',
  callbackPhone: 'Callback phone',
  displayName: 'Name',
  email: 'Email',
  password: 'Password',
  phone: 'Phone number (optional)',
  signerName: 'Type your full name to sign',
  consent: 'I have read and agree to this waiver',
} as const;

export type LabelledField = keyof typeof LABELS;

/** How the shared schemas (packages/domain, the server's auth input) name these fields in their messages. */
const SCHEMA_WORDS: Partial<Record<LabelledField, readonly string[]>> = {
  vehicleMake: ['Vehicle make'],
  vehicleModel: ['Vehicle model'],
  concern: ['Concern'],
  phone: ['Phone number'],
  callbackPhone: ['Phone number'],
};

/** How a label is named inside a sentence: a question label reads better in quotes. */
function nameOf(field: LabelledField): string {
  if (field === 'phone') return 'Phone number';
  const label: string = LABELS[field];
  return /[?]$/.test(label) ? `“${label}”` : label;
}

/** The message with the schema's name for the field replaced by the field's label. */
export function labelled(field: LabelledField, message: string): string {
  for (const words of SCHEMA_WORDS[field] ?? []) {
    if (message.startsWith(words)) return `${nameOf(field)}${message.slice(words.length)}`;
  }
  return message;
}

/** Schema issues as one message per field (the first), named by the fields' labels. */
export function messagesByField<F extends LabelledField>(
  fields: readonly F[],
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): Partial<Record<F, string>> {
  const out: Partial<Record<F, string>> = {};
  for (const issue of issues) {
    const key = issue.path[issue.path.length - 1];
    const field = fields.find((f) => f === key);
    if (field && !out[field]) out[field] = labelled(field, issue.message);
  }
  return out;
}
