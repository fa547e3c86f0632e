import { z } from 'zod';
import { parseLegacyPosition, parsePosition } from './position.ts';
import { PLANS, SESSION_TYPES } from './statuses.ts';

export const FIRST_VEHICLE_YEAR = 1950;
/** Next year's models are on sale; anything later is a typo. */
export const LAST_VEHICLE_YEAR = new Date().getUTCFullYear() + 1;

/** A lone UTF-16 surrogate: half a character, which no database column can store. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LINE_BREAKS_AND_TABS = /[\t\n\r]/;

/**
 * Whether text is storable and printable as typed: no NUL or other control character (tabs and
 * line breaks only where `multiline`), no lone surrogate. Every text field of every input uses it.
 */
export function isCleanText(value: string, { multiline = false } = {}): boolean {
  if (LONE_SURROGATE.test(value) || CONTROL_CHARACTERS.test(value)) return false;
  return multiline || !LINE_BREAKS_AND_TABS.test(value);
}

/** The shared text rule: clean (see isCleanText), trimmed, within its length. */
export const text = (label: string, min: number, max: number, { multiline = false } = {}) =>
  z
    .string({ error: `${label} is required` })
    .refine((value) => isCleanText(value, { multiline }), {
      message: `${label} contains a character we cannot store (a control character or broken text)`,
      abort: true,
    })
    .trim()
    .min(min, min === 1 ? `${label} is required` : `${label} needs at least ${min} characters`)
    .max(max, `${label} can be at most ${max} characters`);

/**
 * A callback phone number as people type it ("+1 (415) 555-0100", "020 7946 0958"): digits with
 * spaces, dots, dashes, brackets and one leading +; 7 to 15 digits (E.164's maximum). Stored
 * normalised to the digits, with the + if one was given.
 */
export const phoneSchema = z
  .string({ error: 'Phone number must be text' })
  .trim()
  .regex(/^\+?[0-9 ().-]+$/, {
    message: 'Phone number may only hold digits, spaces, +, -, . and brackets',
    abort: true,
  })
  .refine((value) => {
    const digits = value.replace(/\D/g, '').length;
    return digits >= 7 && digits <= 15;
  }, 'Phone number needs 7 to 15 digits')
  .transform((value) => `${value.startsWith('+') ? '+' : ''}${value.replace(/\D/g, '')}`);

/** An optional phone: left empty (or absent) it is null. */
export const optionalPhoneSchema = z.preprocess(
  (value) =>
    value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
      ? null
      : value,
  phoneSchema.nullable(),
);

/** In-person visits and urgent requests ask for a phone the mechanic can call back. */
export function callbackPhoneNeeded(intake: { sessionType?: string; urgent?: boolean }): boolean {
  return intake.sessionType === 'in_person' || intake.urgent === true;
}

/** What a customer fills in to book a session. The workshop is only for in-person visits. */
export const intakeSchema = z
  .object({
    customerName: text('Your name', 2, 100),
    vehicleYear: z
      .number({ error: 'Vehicle year must be a number' })
      .int('Vehicle year must be a whole year')
      .min(FIRST_VEHICLE_YEAR, `Vehicle year must be ${FIRST_VEHICLE_YEAR} or later`)
      .max(LAST_VEHICLE_YEAR, `Vehicle year must be ${LAST_VEHICLE_YEAR} or earlier`),
    vehicleMake: text('Vehicle make', 1, 40),
    vehicleModel: text('Vehicle model', 1, 60),
    concern: text('Concern', 10, 2000, { multiline: true }),
    sessionType: z.enum(SESSION_TYPES, { error: 'Choose a session type' }),
    workshopId: z.uuid('Choose a workshop from the list').nullable().default(null),
    plan: z.enum(PLANS, { error: 'Choose a plan' }),
    urgent: z.boolean().default(false),
    /**
     * Asked for in-person and urgent requests (the mechanic may need to call: running late, stuck
     * at the roadside). Stored on the session in its own column, shown only to the session's
     * mechanic and admins after accept, never in an event or a log line.
     */
    callbackPhone: optionalPhoneSchema.optional().transform((value) => value ?? null),
  })
  .superRefine((intake, ctx) => {
    if (intake.callbackPhone === null && callbackPhoneNeeded(intake)) {
      ctx.addIssue({
        code: 'custom',
        path: ['callbackPhone'],
        message: 'Phone number is required for in-person and urgent requests, so your mechanic can call you',
      });
    }
    if (intake.workshopId !== null && intake.sessionType !== 'in_person') {
      ctx.addIssue({
        code: 'custom',
        path: ['workshopId'],
        message: 'A workshop can only be chosen for an in-person visit',
      });
    }
  });
export type Intake = z.output<typeof intakeSchema>;
export type IntakeInput = z.input<typeof intakeSchema>;

/** The customer's typed-name signature of a waiver version. */
export const waiverSignatureSchema = z.object({
  sessionId: z.uuid('Unknown session'),
  signerName: text('Your full name', 2, 100),
  consent: z.literal(true, 'Tick the box to agree to the waiver'),
  waiverVersion: z
    .string()
    .min(1, 'Waiver version is required')
    .max(40)
    .refine((value) => isCleanText(value), 'Waiver version is not one we know'),
});
export type WaiverSignature = z.output<typeof waiverSignatureSchema>;

export const cancelReasonSchema = text('Reason', 3, 500, { multiline: true });

/** Idempotency keys are client-generated; retries reuse them. */
export const idempotencyKeySchema = z
  .string()
  .min(8, 'Idempotency key too short')
  .max(100, 'Idempotency key too long')
  .regex(/^[A-Za-z0-9_-]+$/, 'Idempotency key may hold only letters, digits, _ and -');

/**
 * A stream position as sent by a client (tRPC `lastEventId`): a position, or one handed out before
 * commit-ordered positions ("tx.id", mapped on resume). Out-of-range numbers are refused here.
 */
export const positionSchema = z
  .string()
  .max(41, 'Not a valid event position')
  .refine(
    (value) => parsePosition(value) !== null || parseLegacyPosition(value) !== null,
    'Not a valid event position',
  );
