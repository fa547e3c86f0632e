import {
  type DispatchMode,
  type Position,
  positionSchema,
  type QueueEvent,
  type Viewer,
} from '@dispatch/domain';
import { z } from 'zod';
import type { Context } from '../../context.ts';
import type { EventHub } from '../../log/hub.ts';
import type { LiveSubscriber, StaffFanOut } from '../../log/live-fanout.ts';
import { resolveStart, type StreamStart } from '../../log/positions.ts';
import { projectForStaff } from '../../log/projection.ts';
import type { StoredEvent } from '../../log/stored-event.ts';
import {
  type DirectFrames,
  type LiveTransport,
  type SlowConsumerLimits,
  type StreamOptions,
  streamEvents,
} from '../../log/stream.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { ReceiptSink } from '../../observability/receipts.ts';
import { staffProcedure } from '../../trpc.ts';

const queueOnChangeInput = z.object({ lastEventId: positionSchema.nullish() });

/**
 * Changes to what this viewer may see, resumable from any position: cards to add or update, and
 * bare removals ("taken", "cancelled") for what just left their sight.
 */
export const onChange = staffProcedure
  .input(queueOnChangeInput)
  .subscription(({ ctx, input, signal }) =>
    streamEvents(new QueueChanges(ctx, ctx.user.viewer, input.lastEventId ?? null, signal)),
  );

/**
 * One `queue.onChange` subscription: what its pull loop and the live fan-out need, read from the
 * context once. It is the stream's options and the fan-out's subscriber at once, with its functions
 * on the prototype, because every idle mechanic's socket holds one for as long as it is open; the
 * request context itself is not kept.
 */
class QueueChanges implements StreamOptions<QueueEvent>, LiveSubscriber {
  readonly hub: EventHub;
  readonly signal: AbortSignal | undefined;
  readonly metrics: Metrics;
  readonly transport: LiveTransport | null;
  readonly limits: SlowConsumerLimits | undefined;
  readonly viewer: Viewer;
  readonly #mode: DispatchMode;
  readonly #lastEventId: string | null;
  readonly #fanOut: StaffFanOut | undefined;
  /** Delivery receipts, for mechanics only. */
  readonly #receipts: ReceiptSink | undefined;
  /** tRPC's `{"id":…,` for this subscription, from its started frame; null: pull only. */
  #frameHead: string | null = null;

  constructor(ctx: Context, viewer: Viewer, lastEventId: string | null, signal: AbortSignal | undefined) {
    this.hub = ctx.hub;
    this.signal = signal;
    this.metrics = ctx.metrics;
    this.transport = ctx.transport;
    this.limits = ctx.config.slowConsumer;
    this.viewer = viewer;
    this.#mode = ctx.config.dispatchMode;
    this.#lastEventId = lastEventId;
    this.#fanOut = ctx.fanOut;
    this.#receipts = viewer.role === 'mechanic' ? ctx.receipts : undefined;
  }

  /** First, before any await: the subscription's frame head arrives with tRPC's `started` frame. */
  async start(): Promise<StreamStart> {
    const frameHead = this.transport?.claimSubscriptionStart() ?? null;
    this.#frameHead = await frameHead;
    return resolveStart(this.hub, this.#lastEventId);
  }

  get role(): string {
    return this.viewer.role;
  }

  now(): number {
    return Date.now();
  }

  project(event: StoredEvent): QueueEvent | null {
    return projectForStaff(this.viewer, event, this.#mode);
  }

  /** A card this mechanic may see went out on this connection: its delivery receipt. */
  onDelivered(event: StoredEvent, payload: QueueEvent): void {
    const receipts = this.#receipts;
    if (!receipts || payload.kind !== 'upsert') return;
    receipts.delivered(event.sessionId, event.position, payload.card.version, this.viewer.userId);
  }

  /** Once its frame head is known, its frames are written straight to its socket (stream.ts). */
  directFrames(): DirectFrames | null {
    const { transport } = this;
    const frameHead = this.#frameHead;
    return transport && frameHead !== null ? { transport, frameHead } : null;
  }

  /** At the head, the fan-out writes this subscription's frames: one projection per class of viewer. */
  live(position: Position, signal: AbortSignal | undefined): Promise<Position> | null {
    const { transport } = this;
    if (!this.#fanOut || !transport || this.#frameHead === null) return null;
    return this.#fanOut.serve(this, transport, this.#frameHead, position, signal);
  }
}
