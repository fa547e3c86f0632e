import { strandedReason } from '@dispatch/domain';
import { describe, expect, it } from 'vitest';
import { returnedKey, returnedText } from './returned.ts';

const returned = {
  assignmentId: 'a-1',
  at: '2026-12-01T15:42:10.000Z',
  sessionType: 'in_person' as const,
  vehicle: { year: 2019, make: 'Subaru', model: 'Outback' },
};

describe('returnedText', () => {
  it('names the session, the time and the span the dispatcher wrote', () => {
    const text = returnedText({ ...returned, reason: strandedReason() });
    expect(text).toMatch(
      /^Your in-person visit for 2019 Subaru Outback went back to the queue at \d\d:42 because your dashboard had no connection for 3 min\.$/,
    );
    expect(returnedText({ ...returned, sessionType: 'video', reason: strandedReason(5_000) })).toContain(
      'Your video call for 2019 Subaru Outback went back to the queue at',
    );
    expect(returnedText({ ...returned, reason: strandedReason(5_000) })).toMatch(/no connection for 5 s\.$/);
  });

  it('still reads as a sentence when the reason has no span', () => {
    expect(returnedText({ ...returned, reason: 'mechanic lost connection' })).toMatch(
      /because your dashboard had no connection\.$/,
    );
  });

  it('keys each return apart, so a second return of the same request is news again', () => {
    expect(returnedKey(returned)).not.toBe(returnedKey({ ...returned, at: '2026-12-01T16:00:00.000Z' }));
  });
});
