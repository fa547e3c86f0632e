import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { emptyDraft, newIdempotencyKey, serverIntakeErrors, validateIntake } from './intake-form.ts';

/** What the server sends for a bad `session.create`: each issue under its full input path. */
function serverError(fieldErrors: Record<string, string[]>) {
  return new TRPCClientError('Bad input', {
    result: {
      error: {
        code: -32600,
        message: 'Bad input',
        data: {
          code: 'BAD_REQUEST',
          httpStatus: 400,
          path: 'session.create',
          zodError: { formErrors: [], fieldErrors },
        },
      },
    },
  });
}

describe('serverIntakeErrors', () => {
  it('puts each server message next to its field', () => {
    const error = serverError({
      'intake.customerName': ['Your name needs at least 2 characters'],
      'intake.vehicleYear': ['Vehicle year must be 1950 or later', 'Vehicle year must be a whole year'],
      'intake.workshopId': ['That workshop does not exist.'],
    });
    expect(serverIntakeErrors(error)).toEqual({
      customerName: 'Your name needs at least 2 characters',
      vehicleYear: 'Vehicle year must be 1950 or later',
      workshopId: 'That workshop does not exist.',
    });
  });

  it('names fields by their labels, as the form does', () => {
    const error = serverError({ 'intake.concern': ['Concern can be at most 2000 characters'] });
    expect(serverIntakeErrors(error)).toEqual({
      concern: "“What's going on?” can be at most 2000 characters",
    });
  });

  it('leaves errors that concern no intake field to the form', () => {
    expect(serverIntakeErrors(serverError({ idempotencyKey: ['Idempotency key too short'] }))).toEqual({});
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

  it('says "required" for empty fields and names every field by its label', () => {
    const result = validateIntake({ ...emptyDraft(''), vehicleYear: '20x9', concern: 'short' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toMatchObject({
      customerName: 'Your name is required',
      vehicleYear: 'Vehicle year must be a number',
      vehicleMake: 'Make is required',
      vehicleModel: 'Model is required',
      concern: "“What's going on?” needs at least 10 characters",
      plan: 'Choose a plan',
    });
  });
});

it('makes idempotency keys the server accepts, a new one each time', () => {
  const a = newIdempotencyKey();
  expect(a).toMatch(/^[A-Za-z0-9_-]{8,100}$/);
  expect(newIdempotencyKey()).not.toBe(a);
});

describe('the callback phone', () => {
  const base = {
    ...emptyDraft('Dana Reyes'),
    vehicleYear: '2019',
    vehicleMake: 'Mazda',
    vehicleModel: '3',
    concern: 'Battery light flickers at idle.',
    plan: 'paid' as const,
  };

  it('is asked for an in-person or urgent request, named by its label', () => {
    for (const draft of [
      { ...base, sessionType: 'in_person' as const },
      { ...base, urgent: true },
    ]) {
      const result = validateIntake(draft);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors.callbackPhone).toBe(
        'Callback phone is required for in-person and urgent requests, so your mechanic can call you',
      );
    }
    const bad = validateIntake({ ...base, urgent: true, callbackPhone: 'call me' });
    expect(!bad.ok && bad.errors.callbackPhone).toBe(
      'Callback phone may only hold digits, spaces, +, -, . and brackets',
    );
  });

  it('is sent normalised when asked, and not at all otherwise', () => {
    const visit = validateIntake({ ...base, sessionType: 'in_person', callbackPhone: '+44 20 7946 0958' });
    expect(visit.ok && visit.intake.callbackPhone).toBe('+442079460958');
    const video = validateIntake({ ...base, callbackPhone: '+44 20 7946 0958' });
    expect(video.ok && video.intake.callbackPhone).toBe(null);
  });
});
