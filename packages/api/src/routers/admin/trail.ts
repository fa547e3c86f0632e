import { TRPCError } from '@trpc/server';
import { EVENT_COLUMNS, type EventRow, fromRow } from '../../log/index.ts';
import { adminProcedure } from '../../trpc.ts';
import { sessionIdInput } from '../resources.ts';

const ACTOR_NAMES: Partial<Record<string, string>> = {
  dispatcher: 'Dispatcher',
  timer: 'Offer timer',
  system: 'System',
};

/** Every event of one session in commit order: who did what (by name), when and why. */
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
  // A name on every actor row: people by their display name, the rest by what they are.
  const events = rows.map(fromRow);
  const actorIds = [...new Set(events.map((e) => e.actorId).filter((id): id is string => id !== null))];
  const people = new Map(
    (
      await ctx.db.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, displayName: true } })
    ).map((u) => [u.id, u.displayName]),
  );
  return events.map((event) => ({
    position: event.cursor,
    type: event.type,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    actorKind: event.actorKind,
    actorId: event.actorId,
    actorName: (event.actorId ? people.get(event.actorId) : null) ?? ACTOR_NAMES[event.actorKind] ?? null,
    /** Who the request was offered to or held by after this event. */
    mechanicName: event.data.card.mechanic?.displayName ?? null,
    reason: event.reason,
    requestId: event.requestId,
    at: event.createdAt.toISOString(),
  }));
});
