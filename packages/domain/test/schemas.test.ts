import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cancelReasonSchema,
  idempotencyKeySchema,
  intakeSchema,
  isCleanText,
  LAST_VEHICLE_YEAR,
  positionSchema,
  waiverSignatureSchema,
} from '../src/schemas.ts';

const WORKSHOP = '7d1a4c1e-3b2f-4f6a-9c55-0a1b2c3d4e5f';
const valid = {
  customerName: 'Ana Ortiz',
  vehicleYear: 2014,
  vehicleMake: 'Honda',
  vehicleModel: 'Civic',
  concern: 'Grinding noise when braking at low speed',
  sessionType: 'video',
  plan: 'free',
};

/** The messages of a failed parse, keyed by field path. */
function errors(result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) {
  return Object.fromEntries((result.error?.issues ?? []).map((i) => [i.path.join('.'), i.message]));
}

describe('intakeSchema', () => {
  it('accepts a complete intake and fills defaults', () => {
    expect(intakeSchema.parse(valid)).toEqual({
      ...valid,
      workshopId: null,
      urgent: false,
      callbackPhone: null,
    });
  });

  it('trims text', () => {
    expect(intakeSchema.parse({ ...valid, customerName: '  Ana  ' }).customerName).toBe('Ana');
  });

  it.each([
    ['customerName', '', 'Your name needs at least 2 characters'],
    ['vehicleYear', 1900, 'Vehicle year must be 1950 or later'],
    ['vehicleYear', LAST_VEHICLE_YEAR + 1, `Vehicle year must be ${LAST_VEHICLE_YEAR} or earlier`],
    ['vehicleYear', 2010.5, 'Vehicle year must be a whole year'],
    ['vehicleYear', '2010', 'Vehicle year must be a number'],
    ['vehicleMake', '   ', 'Vehicle make is required'],
    ['vehicleModel', 'x'.repeat(61), 'Vehicle model can be at most 60 characters'],
    ['concern', 'noise', 'Concern needs at least 10 characters'],

    ['plan', 'gold', 'Choose a plan'],
    ['workshopId', 'not-a-uuid', 'Choose a workshop from the list'],
  ])('names the problem with %s = %o', (field, value, message) => {
    const intake = { ...valid, sessionType: 'in_person', callbackPhone: '+44 20 7946 0958', [field]: value };
    expect(errors(intakeSchema.safeParse(intake))).toEqual({ [field]: message });
  });

  it('names an unknown session type', () => {
    expect(errors(intakeSchema.safeParse({ ...valid, sessionType: 'phone' }))).toEqual({
      sessionType: 'Choose a session type',
    });
  });

  it('allows a workshop only for in-person visits', () => {
    expect(errors(intakeSchema.safeParse({ ...valid, workshopId: WORKSHOP }))).toEqual({
      workshopId: 'A workshop can only be chosen for an in-person visit',
    });
    const visit = {
      ...valid,
      sessionType: 'in_person',
      workshopId: WORKSHOP,
      callbackPhone: '0161 496 0000',
    };
    expect(intakeSchema.parse(visit).workshopId).toBe(WORKSHOP);
  });

  it('reports every missing field at once', () => {
    expect(Object.keys(errors(intakeSchema.safeParse({})))).toEqual([
      'customerName',
      'vehicleYear',
      'vehicleMake',
      'vehicleModel',
      'concern',
      'sessionType',
      'plan',
    ]);
  });
});

describe('the callback phone', () => {
  it.each([
    ['an in-person visit', { sessionType: 'in_person' }],
    ['an urgent request', { urgent: true }],
  ])('is asked for %s, with a field error when missing or blank', (_what, overrides) => {
    const message =
      'Phone number is required for in-person and urgent requests, so your mechanic can call you';
    expect(errors(intakeSchema.safeParse({ ...valid, ...overrides }))).toEqual({ callbackPhone: message });
    expect(errors(intakeSchema.safeParse({ ...valid, ...overrides, callbackPhone: '   ' }))).toEqual({
      callbackPhone: message,
    });
  });

  it('is normalised to its digits with the leading +', () => {
    const visit = { ...valid, sessionType: 'in_person', callbackPhone: ' +44 20 7946 0958 ' };
    expect(intakeSchema.parse(visit).callbackPhone).toBe('+442079460958');
    expect(intakeSchema.parse({ ...visit, callbackPhone: '(415) 555-0100' }).callbackPhone).toBe(
      '4155550100',
    );
  });

  it.each([
    ['letters', '+44 20 CALL ME', 'Phone number may only hold digits, spaces, +, -, . and brackets'],
    ['too few digits', '+44 20', 'Phone number needs 7 to 15 digits'],
    ['too many digits', '+44 20 7946 0958 1234 5678', 'Phone number needs 7 to 15 digits'],
    ['a NUL', '+44 20\u0000 7946 0958', 'Phone number may only hold digits, spaces, +, -, . and brackets'],
    ['a number', 4420794609, 'Phone number must be text'],
  ])('refuses %s with a clear field error', (_what, phone, message) => {
    const visit = { ...valid, urgent: true, callbackPhone: phone };
    expect(errors(intakeSchema.safeParse(visit))).toEqual({ callbackPhone: message });
  });

  it('is optional for a virtual request that is not urgent', () => {
    expect(intakeSchema.parse({ ...valid, callbackPhone: '' }).callbackPhone).toBe(null);
  });
});

describe('waiverSignatureSchema', () => {
  const signature = {
    sessionId: WORKSHOP,
    signerName: 'Ana Ortiz',
    consent: true,
    waiverVersion: '2026-11-01',
  };
  it('needs explicit consent', () => {
    expect(waiverSignatureSchema.parse(signature)).toEqual(signature);
    expect(errors(waiverSignatureSchema.safeParse({ ...signature, consent: false }))).toEqual({
      consent: 'Tick the box to agree to the waiver',
    });
    expect(errors(waiverSignatureSchema.safeParse({ ...signature, signerName: ' ' }))).toEqual({
      signerName: 'Your full name needs at least 2 characters',
    });
  });
});

describe('small schemas', () => {
  it('positions are numbers in range, or the older "tx.id" within its types', () => {
    expect(positionSchema.safeParse('1234').success).toBe(true);
    expect(positionSchema.safeParse('12.34').success).toBe(true);
    for (const bad of [
      '',
      '-1.2',
      '1.2.3',
      'a.b',
      `${'9'.repeat(21)}.1`,
      '9223372036854775808',
      '18446744073709551616.1',
      '1.9223372036854775808',
      '99999999999999999999.99999999999999999999',
    ]) {
      expect(positionSchema.safeParse(bad).success).toBe(false);
    }
  });

  it('idempotency keys are short safe tokens', () => {
    expect(idempotencyKeySchema.safeParse('k_1234567').success).toBe(true);
    expect(idempotencyKeySchema.safeParse('short').success).toBe(false);
    expect(idempotencyKeySchema.safeParse('has spaces in it').success).toBe(false);
  });

  it('cancel reasons are required text', () => {
    expect(cancelReasonSchema.safeParse('  ').success).toBe(false);
    expect(cancelReasonSchema.parse(' found help ')).toBe('found help');
  });
});

describe('the shared text rule', () => {
  it.each([
    ['a NUL', 'Ana\u0000Ortiz'],
    ['a lone high surrogate', 'Ana \uD83D'],
    ['a lone low surrogate', '\uDE00 Ana'],
    ['an escape character', 'Ana\u001B[31m'],
    ['DEL', 'Ana\u007F'],
  ])('refuses %s in every text field, at the boundary', (_what, bad) => {
    expect(errors(intakeSchema.safeParse({ ...valid, customerName: bad }))).toEqual({
      customerName: 'Your name contains a character we cannot store (a control character or broken text)',
    });
    expect(intakeSchema.safeParse({ ...valid, concern: `${bad} and more words` }).success).toBe(false);
    expect(cancelReasonSchema.safeParse(`${bad} reason`).success).toBe(false);
    expect(
      waiverSignatureSchema.safeParse({
        sessionId: WORKSHOP,
        signerName: bad,
        consent: true,
        waiverVersion: 'v1',
      }).success,
    ).toBe(false);
  });

  it('keeps line breaks where text is multi-line, and emoji everywhere', () => {
    expect(intakeSchema.safeParse({ ...valid, concern: 'Brakes squeal\nwhen cold 🚗' }).success).toBe(true);
    expect(intakeSchema.safeParse({ ...valid, customerName: 'Ana\nOrtiz' }).success).toBe(false);
    expect(intakeSchema.parse({ ...valid, customerName: 'Zoë 李 🚗' }).customerName).toBe('Zoë 李 🚗');
  });

  it('agrees with a UTF-8 round trip over the whole of Unicode', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (value) => {
        const survives = Buffer.from(value, 'utf8').toString('utf8') === value && !value.includes('\u0000');
        if (isCleanText(value, { multiline: true })) expect(survives).toBe(true);
      }),
    );
  });
});
