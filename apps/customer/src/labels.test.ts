import { intakeSchema, optionalPhoneSchema } from '@dispatch/domain';
import { describe, expect, it } from 'vitest';
import { signUpFormSchema } from './auth/auth-schemas.ts';
import { emptyDraft, INTAKE_FIELDS, validateIntake } from './intake/intake-form.ts';
import { LABELS, labelled, messagesByField } from './ui/labels.ts';

/** The label as it appears in a sentence (question labels in quotes; "(optional)" left off). */
function named(label: string): string {
  const bare = label.replace(/ \(optional\)$/, '');
  return bare.endsWith('?') ? `“${bare}”` : bare;
}

describe('one label per field, in every message', () => {
  it('every intake message the schema can give starts with the field’s label', () => {
    const bad = [
      { ...emptyDraft(''), concern: '' },
      {
        ...emptyDraft('J'),
        vehicleYear: '1900',
        vehicleMake: 'x'.repeat(41),
        vehicleModel: 'y'.repeat(61),
        concern: 'short',
      },
      { ...emptyDraft('Jamie'), vehicleYear: '19x5', concern: 'z'.repeat(2001) },
    ];
    for (const draft of bad) {
      const result = validateIntake(draft);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      for (const field of [
        'customerName',
        'vehicleYear',
        'vehicleMake',
        'vehicleModel',
        'concern',
      ] as const) {
        const message = result.errors[field];
        if (message) expect(message.startsWith(named(LABELS[field]))).toBe(true);
      }
    }
  });

  it('renames what the server says too', () => {
    expect(labelled('vehicleMake', 'Vehicle make is required')).toBe('Make is required');
    expect(labelled('concern', 'Concern can be at most 2000 characters')).toBe(
      "“What's going on?” can be at most 2000 characters",
    );
    expect(labelled('workshopId', 'That workshop does not exist.')).toBe('That workshop does not exist.');
  });

  it('maps schema issues to one message per known field', () => {
    const result = intakeSchema.safeParse({});
    expect(result.success).toBe(false);
    if (result.success) return;
    const messages = messagesByField(INTAKE_FIELDS, result.error.issues);
    expect(Object.keys(messages)).toEqual(expect.arrayContaining(['customerName', 'concern', 'plan']));
  });

  it('sign-up says "required" for an empty name and names the phone as labelled', () => {
    const result = signUpFormSchema.safeParse({ displayName: '', email: '', password: '', phone: '12' });
    expect(result.success).toBe(false);
    if (result.success) return;
    const messages = messagesByField(['displayName', 'email', 'password', 'phone'], result.error.issues);
    expect(messages).toEqual({
      displayName: 'Name is required',
      email: 'Email is required',
      password: 'Password is required',
      phone: 'Phone number needs 7 to 15 digits',
    });
  });
});

describe('phoneSchema', () => {
  it('accepts numbers as people type them and stores the digits', () => {
    expect(optionalPhoneSchema.parse('+1 (415) 555-0100')).toBe('+14155550100');
    expect(optionalPhoneSchema.parse('020 7946 0958')).toBe('02079460958');
    expect(optionalPhoneSchema.parse('')).toBeNull();
    expect(optionalPhoneSchema.parse(undefined)).toBeNull();
    expect(optionalPhoneSchema.parse(null)).toBeNull();
  });

  it('refuses what cannot be a phone number', () => {
    for (const bad of ['12', 'call me', '+1 415 555 0100 ext 2', '1'.repeat(16)]) {
      expect(optionalPhoneSchema.safeParse(bad).success).toBe(false);
    }
  });
});
