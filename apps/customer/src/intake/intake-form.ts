import {
  callbackPhoneNeeded,
  type Intake,
  intakeSchema,
  type Plan,
  type SessionType,
} from '@dispatch/domain';
import { fieldErrors } from '@dispatch/web';
import { labelled, messagesByField } from '../ui/labels.ts';

/** What the form holds: strings as typed, choices possibly not made yet. */
export interface IntakeDraft {
  customerName: string;
  vehicleYear: string;
  vehicleMake: string;
  vehicleModel: string;
  concern: string;
  sessionType: SessionType | '';
  workshopId: string;
  plan: Plan | '';
  urgent: boolean;
  /** Asked (and sent) only for in-person and urgent requests. */
  callbackPhone: string;
}

export type IntakeField = keyof IntakeDraft;
export type IntakeErrors = Partial<Record<IntakeField, string>>;

/** Form order: the first invalid field in this order gets focus after a failed submit. */
export const INTAKE_FIELDS: readonly IntakeField[] = [
  'customerName',
  'vehicleYear',
  'vehicleMake',
  'vehicleModel',
  'concern',
  'sessionType',
  'workshopId',
  'plan',
  'urgent',
  'callbackPhone',
];

/** A new booking: the account's name, and its sign-up phone as the callback number. */
export function emptyDraft(customerName = '', callbackPhone = ''): IntakeDraft {
  return {
    customerName,
    vehicleYear: '',
    vehicleMake: '',
    vehicleModel: '',
    concern: '',
    sessionType: 'video',
    workshopId: '',
    plan: '',
    urgent: false,
    callbackPhone,
  };
}

/** The draft as the schema's input; the workshop only counts for an in-person visit. */
function toInput(draft: IntakeDraft): Record<string, unknown> {
  const year = draft.vehicleYear.trim();
  return {
    customerName: draft.customerName,
    vehicleYear: year === '' ? undefined : Number(year),
    vehicleMake: draft.vehicleMake,
    vehicleModel: draft.vehicleModel,
    concern: draft.concern,
    sessionType: draft.sessionType || undefined,
    workshopId: draft.sessionType === 'in_person' && draft.workshopId ? draft.workshopId : null,
    plan: draft.plan || undefined,
    urgent: draft.urgent,
    callbackPhone: callbackPhoneNeeded({ sessionType: draft.sessionType, urgent: draft.urgent })
      ? draft.callbackPhone
      : null,
  };
}

function isField(key: unknown): key is IntakeField {
  return typeof key === 'string' && (INTAKE_FIELDS as readonly string[]).includes(key);
}

/** The longest concern the schema accepts; the form counts towards it as the customer types. */
export const CONCERN_MAX = 2000;

/** Validates with the shared schema (the server runs the same one); one message per field, named by its label. */
export function validateIntake(
  draft: IntakeDraft,
): { ok: true; intake: Intake } | { ok: false; errors: IntakeErrors } {
  const result = intakeSchema.safeParse(toInput(draft));
  if (result.success) return { ok: true, intake: result.data };
  const errors: IntakeErrors = messagesByField(INTAKE_FIELDS, result.error.issues);
  // An empty field is "required", whatever its minimum length.
  if (draft.customerName.trim() === '')
    errors.customerName = labelled('customerName', 'Your name is required');
  if (draft.vehicleYear.trim() === '')
    errors.vehicleYear = labelled('vehicleYear', 'Vehicle year is required');
  if (draft.concern.trim() === '') errors.concern = labelled('concern', 'Concern is required');
  return { ok: false, errors };
}

/** The server's validation errors for `session.create`, next to the fields they concern, named by their labels. */
export function serverIntakeErrors(error: unknown): IntakeErrors {
  const errors: IntakeErrors = {};
  for (const [field, message] of Object.entries(fieldErrors(error))) {
    if (isField(field)) errors[field] = labelled(field, message);
  }
  return errors;
}

/** One per form: a retry or a double click sends the same key, so the server books once. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
