import { parsePosition } from '@dispatch/domain';
import { markRoom } from '../../commands/room/mark.ts';
import { markInput } from './room.schema.ts';
import { roomMemberProcedure } from './room-procedure.ts';

const at = (position: string | undefined) => (position ? (parsePosition(position) ?? 0n) : 0n);

/**
 * Moves the caller's marks: `delivered` when their client received messages, `read` when the
 * room was in view. Marks only move forward; the other side sees ✓✓ and "Read" from them.
 */
export const mark = roomMemberProcedure.input(markInput).mutation(async ({ ctx, input }) => {
  await markRoom(ctx.db, {
    sessionId: input.sessionId,
    userId: ctx.user.id,
    delivered: at(input.delivered),
    read: at(input.read),
  });
  return { ok: true as const };
});
