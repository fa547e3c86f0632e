import { projectForCustomer } from '../../delivery/projection.ts';
import { startPosition } from '../../delivery/start-position.ts';
import { streamEvents } from '../../delivery/stream.ts';
import { signedInProcedure } from '../../trpc.ts';
import { sessionOnChangeInput } from './session.schema.ts';

/** Live changes to the caller's own sessions (one, if `sessionId` is given), resumable by position. */
export const onChange = signedInProcedure.input(sessionOnChangeInput).subscription(async function* ({
  ctx,
  input,
  signal,
}) {
  const viewer = ctx.user.viewer;
  yield* streamEvents({
    ...startPosition(ctx.hub, input.lastEventId),
    hub: ctx.hub,
    project: (event) => projectForCustomer(viewer, event, input.sessionId ?? null),
    signal,
    metrics: ctx.metrics,
    role: viewer.role,
    now: Date.now,
  });
});
