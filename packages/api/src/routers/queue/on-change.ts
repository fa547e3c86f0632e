import { positionSchema, type QueueEvent } from '@dispatch/domain';
import { z } from 'zod';
import { projectForStaff, resolveStart, type StoredEvent, streamEvents } from '../../log/index.ts';
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
  // First, before any await: the subscription's frame head arrives with tRPC's `started` frame.
  const frameHead = ctx.transport?.claimSubscriptionStart() ?? null;
  const viewer = ctx.user.viewer;
  const mode = ctx.config.dispatchMode;
  const receipts = viewer.role === 'mechanic' ? ctx.receipts : undefined;
  const onDelivered = receipts
    ? // A card this mechanic may see went out on this connection: its delivery receipt.
      (event: StoredEvent, payload: QueueEvent) => {
        if (payload.kind === 'upsert') {
          receipts.delivered(event.sessionId, event.position, payload.card.version, viewer.userId);
        }
      }
    : undefined;
  const head = await frameHead;
  const { fanOut, transport } = ctx;
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
    ...(onDelivered ? { onDelivered } : {}),
    // At the head, the fan-out writes this subscription's frames: one projection per class of viewer.
    ...(fanOut && transport && head !== null
      ? {
          live: (position, liveSignal) =>
            fanOut.serve(
              {
                viewer,
                transport,
                frameHead: head,
                position,
                role: viewer.role,
                ...(onDelivered ? { onDelivered } : {}),
              },
              liveSignal,
            ),
        }
      : {}),
  });
});
