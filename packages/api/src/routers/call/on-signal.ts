import { storeCallSignal } from '../../commands/call/store-signal.ts';
import { followCallSignals } from '../../queries/call-signals.ts';
import { onSignalInput } from './call.schema.ts';
import { callMemberProcedure } from './member.ts';

/**
 * This tab's place in the call: the other member's signals, as they are stored on any process.
 * Once it listens, the server tells the other side `join` (so an answer to it cannot be missed);
 * when it ends without a hang-up (tab closed, socket lost) the other side hears `leave: dropped`.
 * The session leaving `accepted` sends `ended` and finishes it.
 */
export const onSignal = callMemberProcedure.input(onSignalInput).subscription(async function* ({
  ctx,
  input,
  signal,
}) {
  const { sessionId, peerId } = ctx.call;
  const from = { sessionId, fromUser: ctx.user.id, toUser: peerId, toAttempt: null };
  const follow = followCallSignals({
    db: ctx.db,
    hub: ctx.hub,
    sessionId,
    toUser: ctx.user.id,
    attempt: input.attempt,
    ...(signal ? { signal } : {}),
  });
  let ended = false;
  try {
    await storeCallSignal(ctx.db, { ...from, signal: { kind: 'join', attempt: input.attempt, payload: {} } });
    for await (const item of follow) {
      if (item.kind === 'ended') ended = true;
      yield item;
    }
  } finally {
    follow.close();
    if (!ended) {
      await storeCallSignal(ctx.db, {
        ...from,
        signal: { kind: 'leave', attempt: input.attempt, payload: { reason: 'dropped' } },
      }).catch((error: unknown) => ctx.log.warn({ err: error, sessionId }, 'call leave not relayed'));
    }
  }
});
