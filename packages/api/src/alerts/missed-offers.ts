import type { Db, DbTransaction } from '@dispatch/db';
import {
  DEFAULT_MISSED_OFFER_LIMIT,
  decideMissedOffer,
  type MissedOfferDecision,
  type OfferOutcome,
} from '@dispatch/domain';

export interface OfferOutcomeInput {
  mechanicId: string;
  outcome: OfferOutcome;
  at: Date;
  /** K: consecutive unanswered offers before the mechanic is set Away (0 turns it off). */
  limit?: number;
}

/**
 * For the dispatcher, when an offer's outcome (accept, decline or expiry) is recorded — inside
 * that transaction, or right after it with the client: keeps the mechanic's consecutive missed-offer count and, at K, sets them Away with the
 * reason. The row lock (SELECT … FOR UPDATE on the mechanic) serialises concurrent outcomes for one
 * mechanic. Returns the decision so the caller can put `reason` into the event it writes (the
 * trail) and, after commit, tell the mechanic (`PushSender.notifyUser`, see awayNotice).
 */
export function recordOfferOutcome(
  db: Db | DbTransaction,
  input: OfferOutcomeInput,
): Promise<MissedOfferDecision> {
  // Given the client rather than a transaction (the command already committed): its own one.
  if ('$transaction' in db) return db.$transaction((tx) => record(tx, input));
  return record(db, input);
}

async function record(tx: DbTransaction, input: OfferOutcomeInput): Promise<MissedOfferDecision> {
  const rows = await tx.$queryRaw<{ missed: number; availability: string }[]>`
    SELECT missed_offers AS missed, availability::text AS availability
      FROM mechanics WHERE user_id = ${input.mechanicId}::uuid FOR UPDATE`;
  const row = rows[0];
  if (!row) return { missedOffers: 0, setAway: false, reason: null };
  const decision = decideMissedOffer(row.missed, input.outcome, input.limit ?? DEFAULT_MISSED_OFFER_LIMIT);
  // Someone already away (by choice) is not "set away" again; only the count moves.
  const setAway = decision.setAway && row.availability === 'available';
  await tx.mechanic.update({
    where: { userId: input.mechanicId },
    data: setAway
      ? { missedOffers: 0, availability: 'away', awayReason: decision.reason, awaySetAt: input.at }
      : { missedOffers: decision.missedOffers },
  });
  return setAway ? decision : { ...decision, setAway: false, reason: null };
}

/** The push that tells a mechanic they were set away (send after the transaction commits). */
export function awayNotice(reason: string, at: Date) {
  return {
    payload: {
      kind: 'notice' as const,
      tag: 'availability',
      title: 'You are now away',
      body: `${reason} (${at.toISOString().slice(11, 16)} UTC). Open the dashboard and choose Available to get requests again.`,
      url: '/mechanic/',
    },
    /** One claim per mechanic and moment, whichever process sends it. */
    claimKey: `away:${at.toISOString()}`,
  };
}
