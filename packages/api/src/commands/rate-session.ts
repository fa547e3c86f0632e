import type { DbTransaction as Db } from '@dispatch/db';
import { type Rating, ratingRefusal } from '@dispatch/domain';
import type { AssignmentRow } from '../queries/rows.ts';
import { CommandError, notFound } from './errors.ts';

export interface RateRequest {
  /** The session's assignment as the caller loaded it through the visibility rule. */
  row: AssignmentRow;
  customerId: string;
  rating: Rating;
  now: Date;
}

export interface RateResult {
  stars: number;
  comment: string | null;
  ratedAt: string;
  /** False when this exact rating was already on file (a retry, a double click). */
  applied: boolean;
}

/**
 * The customer rates a completed session, once. One guarded insert: it writes only for the
 * session's own customer, only while it is completed, only if no rating exists. A retry of the same
 * rating answers with it; a different second rating is refused, never overwrites the first.
 */
export async function rateSession(db: Db, request: RateRequest): Promise<RateResult> {
  const { row, customerId, rating, now } = request;
  if (row.session.customerId !== customerId) throw notFound();
  const early = ratingRefusal(row.status, false);
  if (early) throw new CommandError('refused', early.message, { refusal: early.code });

  const inserted = await db.$queryRaw<{ stars: number; comment: string | null; created_at: Date }[]>`
    INSERT INTO session_ratings (session_id, customer_id, mechanic_id, stars, comment, created_at)
    SELECT s.id, s.customer_id, a.mechanic_id, ${rating.stars}::smallint, ${rating.comment}::text, ${now}::timestamptz
      FROM sessions s JOIN session_assignments a ON a.session_id = s.id
     WHERE s.id = ${row.sessionId}::uuid AND s.customer_id = ${customerId}::uuid
       AND a.status = 'completed' AND a.mechanic_id IS NOT NULL
    ON CONFLICT (session_id) DO NOTHING
    RETURNING stars, comment, created_at`;
  const written = inserted[0];
  if (written) {
    return {
      stars: written.stars,
      comment: written.comment,
      ratedAt: written.created_at.toISOString(),
      applied: true,
    };
  }

  // Nothing written: rated already (the same rating again is a retry), or no longer completed.
  const existing = await db.sessionRating.findUnique({
    where: { sessionId: row.sessionId },
    select: { stars: true, comment: true, createdAt: true },
  });
  if (existing && existing.stars === rating.stars && existing.comment === rating.comment) {
    return {
      stars: existing.stars,
      comment: existing.comment,
      ratedAt: existing.createdAt.toISOString(),
      applied: false,
    };
  }
  const refusal = ratingRefusal(existing ? 'completed' : row.status, existing !== null) ?? {
    code: 'not_completed' as const,
    message: 'You can rate a session once it is completed.',
  };
  throw new CommandError('refused', refusal.message, { refusal: refusal.code });
}
