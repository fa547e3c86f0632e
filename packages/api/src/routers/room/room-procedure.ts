import { TRPCError } from '@trpc/server';
import { notFound } from '../../commands/errors.ts';
import { roomClosed } from '../../commands/room/send-message.ts';
import { loadRoom } from '../../queries/room.ts';
import { signedInProcedure } from '../../trpc.ts';
import { sessionIdInput } from '../resources.ts';

/**
 * The one membership check of the session room: the room is loaded once with the domain's
 * `roomAccess` (the session's customer and its mechanic; admins read). Anyone else, and a session
 * without a room, gets NOT_FOUND exactly like an unknown id.
 */
export const roomProcedure = signedInProcedure.input(sessionIdInput).use(async ({ ctx, input, next }) => {
  const room = await loadRoom(ctx.db, ctx.user.viewer, input.sessionId);
  if (!room) throw notFound();
  return next({ ctx: { room } });
});

/** A member of the room, in it or looking back: may move their own marks. */
export const roomMemberProcedure = roomProcedure.use(({ ctx, next }) => {
  if (ctx.room.state.side === null) {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: 'Admins can read a session room but not write in it.',
    });
  }
  return next({ ctx: { side: ctx.room.state.side } });
});

/** A member while the session is in progress: may write. */
export const roomWriterProcedure = roomMemberProcedure.use(({ ctx, next }) => {
  if (ctx.room.access !== 'write') {
    throw roomClosed();
  }
  return next();
});
