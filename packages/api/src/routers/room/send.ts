import { sendRoomMessage } from '../../commands/room/send-message.ts';
import { toRoomMessage } from '../../queries/room.ts';
import { limitRoomSends } from './limits.ts';
import { sendInput } from './room.schema.ts';
import { roomWriterProcedure } from './room-procedure.ts';

/**
 * Sends a text message. `clientKey` (a UUID the client made when the message was typed) makes a
 * resend after a drop return the first message, never a second one; a resend is not counted
 * against the rate limit.
 */
export const send = roomWriterProcedure.input(sendInput).mutation(async ({ ctx, input }) => {
  const message = {
    sessionId: input.sessionId,
    authorId: ctx.user.id,
    clientKey: input.clientKey,
    body: input.body,
  };
  const { message: stored } = await sendRoomMessage(
    ctx.db,
    message,
    (id) => ctx.hub.rooms.readOne(id),
    () => limitRoomSends(ctx, ctx.user.id),
  );
  return toRoomMessage(stored, ctx.user.viewer, ctx.room.facts);
});
