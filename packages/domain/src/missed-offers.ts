/**
 * Missed-offer accountability in targeted mode: a mechanic who leaves K offers in a row
 * unanswered is set Away, so the next request does not lose its first offer window to them.
 * Pure: the count is stored by the caller, time is passed in.
 */

/** How an offer to a mechanic ended. Only `expired` (no answer at all) counts as missed. */
export type OfferOutcome = 'accepted' | 'declined' | 'expired';

export const DEFAULT_MISSED_OFFER_LIMIT = 2;

export interface MissedOfferDecision {
  /** The new consecutive count to store (0 after any answer, and after being set away). */
  missedOffers: number;
  /** Set the mechanic Away now. */
  setAway: boolean;
  /** Why, for the mechanic's status and the event trail; null unless `setAway`. */
  reason: string | null;
}

export function decideMissedOffer(
  missedBefore: number,
  outcome: OfferOutcome,
  limit: number = DEFAULT_MISSED_OFFER_LIMIT,
): MissedOfferDecision {
  if (outcome !== 'expired') return { missedOffers: 0, setAway: false, reason: null };
  const missed = Math.max(0, missedBefore) + 1;
  if (limit > 0 && missed >= limit) {
    return { missedOffers: 0, setAway: true, reason: awayReasonText(missed) };
  }
  return { missedOffers: missed, setAway: false, reason: null };
}

export const AWAY_REASON_PREFIX = 'Set to away after';

/** "Set to away after 2 missed offers" (the dashboard adds "at 14:02" in the mechanic's own time). */
export function awayReasonText(missed: number): string {
  return `${AWAY_REASON_PREFIX} ${missed} missed offer${missed === 1 ? '' : 's'}`;
}

/**
 * The expiry event's reason when it also set the mechanic away: the trail then says both, and the
 * push sender, reading the log, tells the mechanic (exactly once, like every push).
 */
export function expiryReason(base: string, decision: MissedOfferDecision): string {
  return decision.setAway && decision.reason ? `${base}; ${decision.reason}` : base;
}

/** The away reason inside an event reason written by `expiryReason`, or null. */
export function awayReasonIn(eventReason: string | null | undefined): string | null {
  const at = eventReason?.indexOf(AWAY_REASON_PREFIX) ?? -1;
  return eventReason && at >= 0 ? eventReason.slice(at) : null;
}
