import { type Intake, intakeSchema, type Plan, type SessionType } from '@dispatch/domain';
import { errorCode, fieldErrors } from '@dispatch/web';

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
];

export function emptyDraft(customerName = ''): IntakeDraft {
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
  };
}

function isField(key: unknown): key is IntakeField {
  return typeof key === 'string' && (INTAKE_FIELDS as readonly string[]).includes(key);
}

/** Validates with the shared schema (the server runs the same one); one message per field. */
export function validateIntake(
  draft: IntakeDraft,
): { ok: true; intake: Intake } | { ok: false; errors: IntakeErrors } {
  const result = intakeSchema.safeParse(toInput(draft));
  if (result.success) return { ok: true, intake: result.data };
  const errors: IntakeErrors = {};
  for (const issue of result.error.issues) {
    const key = issue.path[0];
    if (isField(key) && !errors[key]) errors[key] = issue.message;
  }
  // An empty field is "required", whatever its minimum length.
  if (draft.customerName.trim() === '') errors.customerName = 'Your name is required';
  if (draft.vehicleYear.trim() === '') errors.vehicleYear = 'Vehicle year is required';
  if (draft.concern.trim() === '') errors.concern = 'Concern is required';
  return { ok: false, errors };
}

/** The schema's messages start with the field's label; used when the server sends messages without paths. */
const MESSAGE_PREFIXES: readonly [string, IntakeField][] = [
  ['Your name', 'customerName'],
  ['Vehicle year', 'vehicleYear'],
  ['Vehicle make', 'vehicleMake'],
  ['Vehicle model', 'vehicleModel'],
  ['Concern', 'concern'],
  ['Choose a session type', 'sessionType'],
  ['Choose a workshop', 'workshopId'],
  ['A workshop', 'workshopId'],
  ['That workshop', 'workshopId'],
  ['Choose a plan', 'plan'],
];

function fieldOfMessage(message: string): IntakeField | null {
  return MESSAGE_PREFIXES.find(([prefix]) => message.startsWith(prefix))?.[1] ?? null;
}

/** Issues with their full paths, when the server's message is zod's JSON list of issues. */
function issuesInMessage(error: unknown): { path: unknown[]; message: string }[] {
  const message = error instanceof Error ? error.message : '';
  if (!message.startsWith('[')) return [];
  try {
    const parsed: unknown = JSON.parse(message);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (issue): issue is { path: unknown[]; message: string } =>
        typeof issue === 'object' &&
        issue !== null &&
        Array.isArray((issue as { path?: unknown }).path) &&
        typeof (issue as { message?: unknown }).message === 'string',
    );
  } catch {
    return [];
  }
}

/**
 * The server's validation errors for `session.create`, next to the fields they concern. zod's
 * flattened errors key every intake problem under `intake` (only the first path part), so the field
 * comes from the issue's full path when the message carries it, else from the message's wording.
 * Keys like `intake.vehicleYear` or `vehicleYear` are taken as they are.
 */
export function serverIntakeErrors(error: unknown): IntakeErrors {
  const errors: IntakeErrors = {};
  const put = (field: IntakeField | null, message: string) => {
    if (field && !errors[field]) errors[field] = message;
  };
  for (const issue of issuesInMessage(error)) {
    const [first, second] = issue.path;
    put(first === 'intake' && isField(second) ? second : null, issue.message);
  }
  for (const [key, message] of Object.entries(fieldErrors(error))) {
    const last = key.split('.').pop();
    put(isField(last) ? last : fieldOfMessage(message), message);
  }
  if (errorCode(error) === 'BAD_REQUEST' && error instanceof Error)
    put(fieldOfMessage(error.message), error.message);
  return errors;
}

/** One per form: a retry or a double click sends the same key, so the server books once. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
