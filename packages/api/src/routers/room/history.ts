import { parsePosition } from '@dispatch/domain';
import { toRoomMessage } from '../../queries/room.ts';
import { historyInput } from './room.schema.ts';
import { roomProcedure } from './room-procedure.ts';

/**
 * A page of the room's messages after a position (from the first when none), with the room's
 * state: what a page shows while its socket is down (polling), and how history is reopened.
 * `next` is the position to ask from for the following page, null when this was the last.
 */
export const history = roomProcedure.input(historyInput).query(async ({ ctx, input }) => {
  const limit = input.limit ?? 200;
  const after = input.after ? (parsePosition(input.after) ?? 0n) : 0n;
  const rows = await ctx.hub.rooms.readRoom(input.sessionId, after, limit);
  const messages = rows.map((row) => toRoomMessage(row, ctx.user.viewer, ctx.room.facts));
  return {
    state: ctx.room.state,
    messages,
    next: rows.length === limit ? (messages.at(-1)?.position ?? null) : null,
  };
});
