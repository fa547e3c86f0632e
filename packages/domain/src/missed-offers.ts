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

/** "Set to away after 2 missed offers" (the dashboard adds "at 14:02" in the mechanic's own time). */
export function awayReasonText(missed: number): string {
  return `Set to away after ${missed} missed offer${missed === 1 ? '' : 's'}`;
}
