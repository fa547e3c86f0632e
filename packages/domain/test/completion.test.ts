import { describe, expect, it } from 'vitest';
import {
  callbackPhoneShown,
  completionProblem,
  completionSchema,
  mapLinkFor,
  OUTCOME_LABELS,
  ratingRefusal,
  ratingSchema,
  SESSION_OUTCOMES,
  visitDetailsShown,
} from '../src/completion.ts';
import { ASSIGNMENT_STATUSES } from '../src/statuses.ts';

function errors(result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) {
  return Object.fromEntries((result.error?.issues ?? []).map((i) => [i.path.join('.'), i.message]));
}

const findings = {
  checked: 'Battery voltage at rest and cranking; alternator output',
  suspectedCause: 'Alternator diode failing',
  advice: 'Replace the alternator within the week',
};

describe('completionSchema', () => {
  it.each(SESSION_OUTCOMES)('accepts the outcome %s with a note, and labels it', (outcome) => {
    expect(completionSchema.parse({ outcome, note: '  Replaced the fuse. ' })).toEqual({
      outcome,
      note: 'Replaced the fuse.',
      findings: null,
    });
    expect(OUTCOME_LABELS[outcome]).toMatch(/^[A-Z]/);
  });

  it('names every problem by field', () => {
    expect(errors(completionSchema.safeParse({ outcome: 'fixed', note: '' }))).toEqual({
      outcome: 'Choose how the session ended',
      note: 'Note for the customer needs at least 3 characters',
    });
    expect(errors(completionSchema.safeParse({ outcome: 'resolved', note: 'x'.repeat(1001) }))).toEqual({
      note: 'Note for the customer can be at most 1000 characters',
    });
    expect(
      errors(
        completionSchema.safeParse({
          outcome: 'resolved',
          note: 'Looked at it',
          findings: { ...findings, advice: 'Bad\u0000advice' },
        }),
      ),
    ).toEqual({
      'findings.advice': 'Advice contains a character we cannot store (a control character or broken text)',
    });
  });

  it('keeps line breaks in the note and findings', () => {
    const parsed = completionSchema.parse({ outcome: 'resolved', note: 'Step one\nStep two', findings });
    expect(parsed.note).toBe('Step one\nStep two');
    expect(parsed.findings).toEqual(findings);
  });
});

describe('completionProblem', () => {
  it('asks a diagnostic session for its findings, and only a diagnostic one', () => {
    expect(completionProblem('diagnostic', { findings: null })?.field).toBe('findings');
    expect(completionProblem('diagnostic', { findings })).toBe(null);
    for (const type of ['video', 'chat', 'in_person'] as const) {
      expect(completionProblem(type, { findings: null })).toBe(null);
      expect(completionProblem(type, { findings })?.message).toMatch(/diagnostic sessions only/);
    }
  });
});

describe('ratingSchema and ratingRefusal', () => {
  it('takes 1 to 5 whole stars and an optional comment', () => {
    expect(ratingSchema.parse({ stars: 5 })).toEqual({ stars: 5, comment: null });
    expect(ratingSchema.parse({ stars: 1, comment: '   ' })).toEqual({ stars: 1, comment: null });
    expect(ratingSchema.parse({ stars: 4, comment: ' Quick and clear ' })).toEqual({
      stars: 4,
      comment: 'Quick and clear',
    });
    for (const stars of [0, 6, 2.5, '5', null]) {
      expect(errors(ratingSchema.safeParse({ stars }))).toEqual({ stars: 'Choose 1 to 5 stars' });
    }
    expect(errors(ratingSchema.safeParse({ stars: 3, comment: 'x'.repeat(501) }))).toEqual({
      comment: 'Comment can be at most 500 characters',
    });
    expect(ratingSchema.safeParse({ stars: 3, comment: 'ok\uD83D' }).success).toBe(false);
  });

  it('allows one rating, after completion only', () => {
    for (const status of ASSIGNMENT_STATUSES) {
      const refusal = ratingRefusal(status, false);
      expect(refusal === null).toBe(status === 'completed');
    }
    expect(ratingRefusal('completed', true)?.code).toBe('already_rated');
  });
});

describe('in-person details and the callback phone', () => {
  it('links a map search for the address, encoded', () => {
    expect(mapLinkFor('1450 W Irving Park Rd, Chicago, IL 60613')).toBe(
      'https://www.openstreetmap.org/search?query=1450%20W%20Irving%20Park%20Rd%2C%20Chicago%2C%20IL%2060613',
    );
  });

  it('shows the visit details for an in-person session once accepted, never before', () => {
    const shown = ASSIGNMENT_STATUSES.filter((status) => visitDetailsShown('in_person', status));
    expect(shown).toEqual(['accepted', 'completed']);
    expect(visitDetailsShown('video', 'accepted')).toBe(false);
  });

  it('tells the phone to the session own mechanic after accept and to admins, nobody else', () => {
    const mine = { status: 'accepted' as const, mechanicId: 'm1' };
    expect(callbackPhoneShown({ role: 'mechanic', userId: 'm1' }, mine)).toBe(true);
    expect(callbackPhoneShown({ role: 'mechanic', userId: 'm1' }, { ...mine, status: 'completed' })).toBe(
      true,
    );
    expect(callbackPhoneShown({ role: 'mechanic', userId: 'm2' }, mine)).toBe(false);
    expect(callbackPhoneShown({ role: 'mechanic', userId: 'm1' }, { ...mine, status: 'offered' })).toBe(
      false,
    );
    expect(callbackPhoneShown({ role: 'mechanic', userId: 'm1' }, { ...mine, status: 'cancelled' })).toBe(
      false,
    );
    expect(callbackPhoneShown({ role: 'customer', userId: 'c1' }, mine)).toBe(false);
    expect(callbackPhoneShown({ role: 'admin', userId: 'a1' }, mine)).toBe(true);
  });
});
