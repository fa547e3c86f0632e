import { storeCallSignal } from '../../commands/call/store-signal.ts';
import { hitRateLimit } from '../../trpc.ts';
import { signalInput } from './call.schema.ts';
import { callMemberProcedure } from './member.ts';

/**
 * Relays one WebRTC signal (offer/answer, ICE candidate, "here", hang-up) to the other member,
 * wherever their socket is: stored and notified through PostgreSQL (commands/call/store-signal).
 * Rate-limited per user (RATE_LIMIT_CALL_SIGNALS_PER_MINUTE), shared across processes.
 */
export const signal = callMemberProcedure.input(signalInput).mutation(async ({ ctx, input }) => {
  await hitRateLimit(ctx, 'callSignal', ctx.user.id);
  await storeCallSignal(ctx.db, {
    sessionId: ctx.call.sessionId,
    fromUser: ctx.user.id,
    toUser: ctx.call.peerId,
    signal: { ...input.signal, attempt: input.attempt },
    toAttempt: input.to,
  });
  return null;
});
