import { expect, it } from 'vitest';
import { draftFromSession, hasContent } from './draft.ts';
import { emptyDraft, validateIntake } from './intake-form.ts';

it('"Try again with the same details" makes a valid draft with a new booking key', () => {
  const session = {
    customerName: 'Dana Reyes',
    vehicle: { year: 2019, make: 'Skoda', model: 'Octavia' },
    concern: 'Engine light on and the car shakes at idle.',
    sessionType: 'in_person' as const,
    workshop: { id: '6f1c2f7e-1111-4111-8111-111111111111', name: 'Northside Garage' },
    plan: 'paid' as const,
    urgent: true,
  };
  const a = draftFromSession(session);
  const b = draftFromSession(session);
  expect(a.idempotencyKey).not.toBe(b.idempotencyKey);
  expect(hasContent(a.draft)).toBe(true);
  expect(hasContent(emptyDraft('Dana'))).toBe(false);
  // The callback phone is never sent back to the browser: an in-person or urgent retry asks for it again.
  expect(a.draft.callbackPhone).toBe('');
  expect(validateIntake(a.draft).ok).toBe(false);
  const result = validateIntake({ ...a.draft, callbackPhone: '+44 20 7946 0958' });
  expect(result.ok && result.intake).toMatchObject({
    vehicleYear: 2019,
    vehicleMake: 'Skoda',
    workshopId: session.workshop.id,
    urgent: true,
  });
});

it('a new booking offers the account phone as the callback number, and that alone is not a draft worth keeping', () => {
  const draft = { ...emptyDraft('Dana Reyes', '+15550101'), sessionType: 'in_person' as const };
  expect(draft.callbackPhone).toBe('+15550101');
  expect(hasContent(emptyDraft('Dana', '+15550101'))).toBe(false);
});
