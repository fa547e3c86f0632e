import { describe, expect, it } from 'vitest';
import {
  awayReasonIn,
  DEFAULT_MISSED_OFFER_LIMIT,
  decideMissedOffer,
  expiryReason,
  type OfferOutcome,
} from '../src/missed-offers.ts';

function run(outcomes: OfferOutcome[], limit?: number) {
  let missed = 0;
  const decisions = [];
  for (const outcome of outcomes) {
    const decision = decideMissedOffer(missed, outcome, limit);
    missed = decision.missedOffers;
    decisions.push(decision);
  }
  return decisions;
}

describe('missed offers', () => {
  it('defaults to two', () => {
    expect(DEFAULT_MISSED_OFFER_LIMIT).toBe(2);
  });

  it('sets the mechanic away after K consecutive unanswered offers, with the reason', () => {
    const [first, second] = run(['expired', 'expired']);
    expect(first).toEqual({ missedOffers: 1, setAway: false, reason: null });
    expect(second).toEqual({ missedOffers: 0, setAway: true, reason: 'Set to away after 2 missed offers' });
  });

  it.each<OfferOutcome>(['accepted', 'declined'])('an answer (%s) resets the count', (answer) => {
    const decisions = run(['expired', answer, 'expired']);
    expect(decisions.map((d) => d.setAway)).toEqual([false, false, false]);
    expect(decisions.at(-1)?.missedOffers).toBe(1);
  });

  it('honours another limit, and 0 turns it off', () => {
    expect(run(['expired', 'expired', 'expired'], 3).map((d) => d.setAway)).toEqual([false, false, true]);
    expect(run(['expired', 'expired', 'expired'], 0).map((d) => d.setAway)).toEqual([false, false, false]);
    expect(decideMissedOffer(0, 'expired', 1).reason).toBe('Set to away after 1 missed offer');
  });

  it('writes the decision into the expiry reason, where the push sender finds it', () => {
    const reason = expiryReason('not answered within 30 s', decideMissedOffer(1, 'expired'));
    expect(reason).toBe('not answered within 30 s; Set to away after 2 missed offers');
    expect(awayReasonIn(reason)).toBe('Set to away after 2 missed offers');
    expect(expiryReason('not answered within 30 s', decideMissedOffer(0, 'expired'))).toBe(
      'not answered within 30 s',
    );
    expect(awayReasonIn('not answered within 30 s')).toBeNull();
  });
});
