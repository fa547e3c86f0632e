import { describe, expect, it } from 'vitest';
import { finishedPollMs } from './FinishedSession.tsx';

const NOW = Date.parse('2026-12-01T15:00:00.000Z');
const row = (completedAt: string, rated: boolean) => ({
  sessionId: completedAt,
  assignmentId: completedAt,
  sessionType: 'video' as const,
  vehicle: { year: 2019, make: 'Honda', model: 'Civic' },
  completedAt,
  outcome: 'resolved' as const,
  rating: rated ? { stars: 4, comment: null } : null,
});
const list = (...sessions: ReturnType<typeof row>[]) => ({ sessions, average: null, ratedCount: 0 });

describe('finishedPollMs', () => {
  it('re-reads every 10 s while a session finished in the last hour awaits its rating', () => {
    expect(finishedPollMs(list(row('2026-12-01T14:50:00.000Z', false)), NOW)).toBe(10_000);
  });

  it('polls slowly once everything recent is rated, or nothing finished lately', () => {
    expect(finishedPollMs(list(row('2026-12-01T14:50:00.000Z', true)), NOW)).toBe(60_000);
    expect(finishedPollMs(list(row('2026-12-01T12:00:00.000Z', false)), NOW)).toBe(60_000);
    expect(finishedPollMs(list(), NOW)).toBe(60_000);
    expect(finishedPollMs(undefined, NOW)).toBe(60_000);
  });
});
