import { TRPCError } from '@trpc/server';
import { EVENT_COLUMNS, type EventRow, fromRow } from '../../log/index.ts';
import { adminProcedure } from '../../trpc.ts';
import { sessionIdInput } from '../resources.ts';

/** Every event of one session in commit order: who did what, when and why. */
export const trail = adminProcedure.input(sessionIdInput).query(async ({ ctx, input }) => {
  const session = await ctx.db.helpSession.findUnique({
    where: { id: input.sessionId },
    select: { id: true },
  });
  if (!session) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such session.' });
  const rows = await ctx.db.$queryRawUnsafe<EventRow[]>(
    `SELECT ${EVENT_COLUMNS} FROM assignment_events WHERE session_id = $1::uuid ORDER BY position`,
    input.sessionId,
  );
  return rows.map(fromRow).map((event) => ({
    position: event.cursor,
    type: event.type,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    actorKind: event.actorKind,
    actorId: event.actorId,
    actorName:
      event.data.card.mechanic?.id === event.actorId ? (event.data.card.mechanic?.displayName ?? null) : null,
    /** Who the request was offered to or held by after this event. */
    mechanicName: event.data.card.mechanic?.displayName ?? null,
    reason: event.reason,
    requestId: event.requestId,
    at: event.createdAt.toISOString(),
  }));
});
