import { projectForSessions, resolveStart, streamEvents } from '../../log/index.ts';
import { signedInProcedure } from '../../trpc.ts';
import { sessionOnChangeInput } from './session.schema.ts';

/**
 * Live changes to the sessions the caller may see (one, if `sessionId` is given), resumable by
 * position, filtered by the same rule as `session.get` in either dispatch mode. Once tRPC's
 * `started` frame has named the subscription, its events are written to the socket as tRPC's own
 * frames without a pass through tRPC per event (stream.ts, writeFrames).
 */
export const onChange = signedInProcedure
  .input(sessionOnChangeInput)
  .subscription(({ ctx, input, signal }) => {
    const viewer = ctx.user.viewer;
    const mode = ctx.config.dispatchMode;
    const transport = ctx.transport;
    let frameHead: string | null = null;
    return streamEvents({
      // Claimed before any await: tRPC sends `started` in the run that starts this body.
      async start() {
        frameHead = await (transport?.claimSubscriptionStart() ?? null);
        return resolveStart(ctx.hub, input.lastEventId);
      },
      hub: ctx.hub,
      project: (event) => projectForSessions(viewer, event, input.sessionId ?? null, mode),
      signal,
      metrics: ctx.metrics,
      role: viewer.role,
      now: Date.now,
      transport,
      ...(ctx.config.slowConsumer ? { limits: ctx.config.slowConsumer } : {}),
      directFrames: () => (transport && frameHead !== null ? { transport, frameHead } : null),
    });
  });
