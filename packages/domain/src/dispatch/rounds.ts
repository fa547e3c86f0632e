/**
 * Targeted mode never dead-ends. A round offers the request to each eligible, online, available
 * mechanic once (longest idle first); a decline or a lapsed offer is a pass. When everyone who could
 * take it has passed, the round is over: after ROUND_PAUSE_MS the request starts a new round and
 * may be offered to the same people again (someone may have finished a session or come back).
 * Within a round nobody is offered a request twice.
 */
export const ROUND_PAUSE_MS = 60_000;

export interface RoundFacts {
  /** Mechanics who passed in this round (the assignment's declined list). */
  passed: readonly string[];
  /** Eligible mechanics who are online and available now, busy or not. */
  eligibleOnline: readonly string[];
  /** When the last of them passed. */
  lastPassAt: Date | null;
}

export type RoundState =
  | { kind: 'open'; remaining: number }
  | { kind: 'exhausted'; nextRoundAt: Date }
  | { kind: 'new_round'; passed: number };

export function roundState(facts: RoundFacts, now: Date, pauseMs = ROUND_PAUSE_MS): RoundState {
  const remaining = facts.eligibleOnline.filter((id) => !facts.passed.includes(id)).length;
  if (remaining > 0 || facts.passed.length === 0) return { kind: 'open', remaining };
  const nextRoundAt = new Date((facts.lastPassAt?.getTime() ?? now.getTime()) + pauseMs);
  return now.getTime() >= nextRoundAt.getTime()
    ? { kind: 'new_round', passed: facts.passed.length }
    : { kind: 'exhausted', nextRoundAt };
}

/** The reason written on the event that starts a new round. */
export function newRoundReason(passed: number, pauseMs = ROUND_PAUSE_MS): string {
  const who = passed === 1 ? 'the 1 eligible mechanic' : `all ${passed} eligible mechanics`;
  return `new round: ${who} passed; offering again after a ${Math.round(pauseMs / 1000)} s pause`;
}
