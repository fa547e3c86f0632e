import { SESSION_TYPES, STRANDED_REASON_PREFIX } from '@dispatch/domain';
import { TRPCError } from '@trpc/server';
import { mechanicFacts, verdictFor } from '../../queries/mechanic-facts.ts';
import { mechanicProcedure } from '../../trpc.ts';

/** How far back "your session went back to the queue while you were away" notices reach. */
const NOTICE_WINDOW_MS = 24 * 60 * 60_000;

/**
 * The signed-in mechanic's capacity: live load, limit, and for each session type whether Accept
 * can work now (and why not: away, or which capacity rule), so the dashboard disables Accept on cards it would refuse. Also the
 * sessions that went back to the queue because their connection was lost.
 */
export const mine = mechanicProcedure.query(async ({ ctx }) => {
  const now = ctx.now();
  const [me] = await mechanicFacts(ctx.db, now, [ctx.user.id]);
  if (!me) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such mechanic.' });
  type Acceptable = { ok: true } | { ok: false; code: string; message: string };
  const acceptable = Object.fromEntries(
    SESSION_TYPES.map((type): [string, Acceptable] => {
      if (me.availability !== 'available') {
        return [
          type,
          {
            ok: false,
            code: 'not_available',
            message: 'You are set to away. Go available to accept requests.',
          },
        ];
      }
      const verdict = verdictFor(me, type);
      return [type, verdict.ok ? { ok: true } : { ok: false, code: verdict.code, message: verdict.message }];
    }),
  ) as Record<(typeof SESSION_TYPES)[number], Acceptable>;
  const returned = await ctx.db.$queryRawUnsafe<
    { session_id: string; assignment_id: string; reason: string; created_at: Date }[]
  >(
    `SELECT session_id, assignment_id, reason, created_at FROM assignment_events
      WHERE type = 'requeue' AND from_status = 'accepted' AND reason LIKE $1
        AND data->'before'->>'mechanicId' = $2 AND created_at >= $3
      ORDER BY created_at DESC LIMIT 20`,
    `${STRANDED_REASON_PREFIX}%`,
    ctx.user.id,
    new Date(now.getTime() - NOTICE_WINDOW_MS),
  );
  return {
    availability: me.availability,
    presence: me.presence,
    load: me.load,
    virtualCapacity: me.virtualCapacity,
    acceptable,
    returnedWhileAway: returned.map((r) => ({
      sessionId: r.session_id,
      assignmentId: r.assignment_id,
      reason: r.reason,
      at: r.created_at.toISOString(),
    })),
  };
});
