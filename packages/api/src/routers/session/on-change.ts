import { projectForSessions, resolveStart, streamEvents } from '../../log/index.ts';
import { signedInProcedure } from '../../trpc.ts';
import { sessionOnChangeInput } from './session.schema.ts';

/**
 * Live changes to the sessions the caller may see (one, if `sessionId` is given), resumable by
 * position, filtered by the same rule as `session.get` in either dispatch mode.
 */
export const onChange = signedInProcedure.input(sessionOnChangeInput).subscription(async function* ({
  ctx,
  input,
  signal,
}) {
  const viewer = ctx.user.viewer;
  const mode = ctx.config.dispatchMode;
  yield* streamEvents({
    start: await resolveStart(ctx.hub, input.lastEventId),
    hub: ctx.hub,
    project: (event) => projectForSessions(viewer, event, input.sessionId ?? null, mode),
    signal,
    metrics: ctx.metrics,
    role: viewer.role,
    now: Date.now,
    transport: ctx.transport,
    ...(ctx.config.slowConsumer ? { limits: ctx.config.slowConsumer } : {}),
  });
});
