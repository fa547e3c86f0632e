import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { emptyDraft, newIdempotencyKey, serverIntakeErrors, validateIntake } from './intake-form.ts';

/** What the server sends for a bad `session.create` (captured from the running server). */
function serverError() {
  const issues = [
    { code: 'too_small', path: ['intake', 'customerName'], message: 'Your name needs at least 2 characters' },
    { code: 'too_small', path: ['intake', 'vehicleYear'], message: 'Vehicle year must be 1950 or later' },
    {
      code: 'custom',
      path: ['intake', 'workshopId'],
      message: 'A workshop can only be chosen for an in-person visit',
    },
  ];
  const data = {
    code: 'BAD_REQUEST',
    httpStatus: 400,
    path: 'session.create',
    zodError: { formErrors: [], fieldErrors: { intake: issues.map((issue) => issue.message) } },
  };
  return { issues, data };
}

describe('serverIntakeErrors', () => {
  it('puts each server message next to its field, from the issue paths in the message', () => {
    const { issues, data } = serverError();
    const error = new TRPCClientError(JSON.stringify(issues, null, 2), {
      result: { error: { code: -32600, message: '', data } },
    });
    expect(serverIntakeErrors(error)).toEqual({
      customerName: 'Your name needs at least 2 characters',
      vehicleYear: 'Vehicle year must be 1950 or later',
      workshopId: 'A workshop can only be chosen for an in-person visit',
    });
  });

  it('falls back to the wording when only the flattened `intake` key is there', () => {
    const { data } = serverError();
    const error = new TRPCClientError('Bad input', {
      result: { error: { code: -32600, message: '', data } },
    });
    // fieldErrors keeps the first message per key; its wording names the field.
    expect(serverIntakeErrors(error)).toEqual({ customerName: 'Your name needs at least 2 characters' });
  });

  it('maps a plain BAD_REQUEST about the workshop to the workshop field', () => {
    const error = new TRPCClientError('That workshop does not exist.', {
      result: { error: { code: -32600, message: '', data: { code: 'BAD_REQUEST' } } },
    });
    expect(serverIntakeErrors(error)).toEqual({ workshopId: 'That workshop does not exist.' });
  });

  it('leaves errors that concern no field to the form', () => {
    expect(serverIntakeErrors(new Error('Failed to fetch'))).toEqual({});
  });
});

describe('validateIntake', () => {
  it('accepts a complete draft and drops the workshop unless in person', () => {
    const draft = {
      ...emptyDraft('Dana Reyes'),
      vehicleYear: '2019',
      vehicleMake: 'Mazda',
      vehicleModel: '3',
      concern: 'Battery light flickers at idle.',
      plan: 'free' as const,
      workshopId: '6f1c2f7e-1111-4111-8111-111111111111',
    };
    const result = validateIntake(draft);
    expect(result.ok && result.intake.workshopId).toBe(null);
    expect(result.ok && result.intake.vehicleYear).toBe(2019);
  });

  it('says "required" for empty fields and uses the schema messages otherwise', () => {
    const result = validateIntake({ ...emptyDraft(''), vehicleYear: '20x9', concern: 'short' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toMatchObject({
      customerName: 'Your name is required',
      vehicleYear: 'Vehicle year must be a number',
      vehicleMake: 'Vehicle make is required',
      concern: 'Concern needs at least 10 characters',
      plan: 'Choose a plan',
    });
  });
});

it('makes idempotency keys the server accepts, a new one each time', () => {
  const a = newIdempotencyKey();
  expect(a).toMatch(/^[A-Za-z0-9_-]{8,100}$/);
  expect(newIdempotencyKey()).not.toBe(a);
});
