import { positionSchema } from '@dispatch/domain';
import { z } from 'zod';
import { projectForStaff, resolveStart, streamEvents } from '../../log/index.ts';
import { staffProcedure } from '../../trpc.ts';

const queueOnChangeInput = z.object({ lastEventId: positionSchema.nullish() });

/**
 * Changes to what this viewer may see, resumable from any position: cards to add or update, and
 * bare removals ("taken", "cancelled") for what just left their sight.
 */
export const onChange = staffProcedure.input(queueOnChangeInput).subscription(async function* ({
  ctx,
  input,
  signal,
}) {
  const viewer = ctx.user.viewer;
  const mode = ctx.config.dispatchMode;
  yield* streamEvents({
    start: await resolveStart(ctx.hub, input.lastEventId),
    hub: ctx.hub,
    project: (event) => projectForStaff(viewer, event, mode),
    signal,
    metrics: ctx.metrics,
    role: viewer.role,
    now: Date.now,
    transport: ctx.transport,
    ...(ctx.config.slowConsumer ? { limits: ctx.config.slowConsumer } : {}),
  });
});
