import {
  type AcceptVerdict,
  acceptVerdict,
  SESSION_TYPES,
  type SessionType,
  STRANDED_REASON_PREFIX,
} from '@dispatch/domain';
import { TRPCError } from '@trpc/server';
import { mechanicFacts } from '../../queries/mechanic-facts.ts';
import { mechanicProcedure } from '../../trpc.ts';

/** How far back "your session went back to the queue while you were away" notices reach. */
const NOTICE_WINDOW_MS = 24 * 60 * 60_000;

/**
 * The signed-in mechanic's capacity: live load, limit, and for each session type whether Accept
 * can work now and why not (the domain's acceptVerdict: away, or which capacity rule), so the
 * dashboard disables Accept on cards the accept statement would refuse. Also the sessions that
 * went back to the queue because their connection was lost. (Availability itself, with the reason
 * the system set someone away, is `mechanic.status`.)
 */
export const mine = mechanicProcedure.query(async ({ ctx }) => {
  const now = ctx.now();
  const [me] = await mechanicFacts(ctx.db, now, [ctx.user.id]);
  if (!me) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such mechanic.' });
  const acceptable = Object.fromEntries(
    SESSION_TYPES.map((type) => [type, acceptVerdict(me, type)]),
  ) as Record<SessionType, AcceptVerdict>;
  const returned = await ctx.db.$queryRawUnsafe<
    {
      session_id: string;
      assignment_id: string;
      reason: string;
      created_at: Date;
      type: SessionType;
      vehicle_year: number;
      vehicle_make: string;
      vehicle_model: string;
    }[]
  >(
    `SELECT e.session_id, e.assignment_id, e.reason, e.created_at,
            s.type::text AS type, s.vehicle_year, s.vehicle_make, s.vehicle_model
       FROM assignment_events e JOIN sessions s ON s.id = e.session_id
      WHERE e.type = 'requeue' AND e.from_status = 'accepted' AND e.reason LIKE $1
        AND e.data->'before'->>'mechanicId' = $2 AND e.created_at >= $3
      ORDER BY e.created_at DESC LIMIT 20`,
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
      // What the notice names ("your in-person visit for 2019 Subaru Outback").
      sessionType: r.type,
      vehicle: { year: r.vehicle_year, make: r.vehicle_make, model: r.vehicle_model },
    })),
  };
});
