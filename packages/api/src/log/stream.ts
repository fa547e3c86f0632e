import { encodePosition, type Position, type ResyncEvent } from '@dispatch/domain';
import { tracked } from '@trpc/server';
import type { Metrics } from '../observability/metrics.ts';
import type { EventHub } from './hub.ts';
import type { StreamStart } from './positions.ts';
import { shared } from './shared-payload.ts';
import type { StoredEvent } from './stored-event.ts';

/** The socket a subscription writes to, as far as back-pressure needs it. */
export interface Transport {
  /** Bytes queued on the socket and not yet sent. */
  bufferedBytes(): number;
  close(code: number, reason: string): void;
}

/** A WebSocket the live fan-out writes frames to directly (see live-fanout.ts). */
export interface LiveTransport extends Transport {
  isOpen(): boolean;
  sendFrame(frame: Buffer, options: { binary: false }): void;
  /**
   * Called first thing in a subscription's body: resolves with the head of the frames tRPC sends
   * for it (`{"id":…,`), read from its `started` frame, which tRPC sends synchronously after
   * starting the body; null when that frame did not come then (the subscription stays on the
   * pull path, which needs no id).
   */
  claimSubscriptionStart(): Promise<string | null>;
}

/** Close code for a subscriber that stopped reading; it reconnects and resumes from its last event. */
export const TOO_SLOW_CLOSE_CODE = 4008;

export interface SlowConsumerLimits {
  /** Above this many buffered bytes the subscription pauses until the socket drains to half. */
  highWaterBytes: number;
  /** A socket that does not drain within this time is closed with TOO_SLOW_CLOSE_CODE. */
  stallMs: number;
}

export const DEFAULT_SLOW_CONSUMER_LIMITS: SlowConsumerLimits = { highWaterBytes: 1 << 20, stallMs: 10_000 };

const RESYNC: ResyncEvent = shared({ kind: 'resync', reason: 'position_unknown' });

/**
 * Older positions come from the table; if the database is briefly away (a restart, a failover)
 * the subscription waits and tries again instead of failing: the client keeps its place.
 */
async function readWithRetry(hub: EventHub, position: Position, signal: AbortSignal | undefined) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await hub.readAfter(position);
    } catch (error) {
      if (signal?.aborted || hub.stopped) return [];
      if (attempt >= 60) throw error;
      await sleep(Math.min(2000, 100 * 2 ** attempt));
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits while the socket holds more than the high-water mark; false (after closing the socket)
 * when it does not drain in time, or when the subscription ended meanwhile.
 */
async function roomToSend(
  transport: Transport,
  limits: SlowConsumerLimits,
  signal: AbortSignal | undefined,
  metrics: Metrics,
): Promise<boolean> {
  if (transport.bufferedBytes() <= limits.highWaterBytes) return true;
  const deadline = Date.now() + limits.stallMs;
  while (transport.bufferedBytes() > limits.highWaterBytes / 2) {
    if (signal?.aborted) return false;
    if (Date.now() >= deadline) {
      metrics.slowConsumersClosed.inc();
      transport.close(TOO_SLOW_CLOSE_CODE, 'Too slow: reconnect and resume from your last event');
      return false;
    }
    await sleep(25);
  }
  return true;
}

export interface StreamOptions<T> {
  hub: EventHub;
  start: StreamStart;
  project: (event: StoredEvent) => T | null;
  signal: AbortSignal | undefined;
  metrics: Metrics;
  role: string;
  now: () => number;
  /** The WebSocket this subscription writes to; null when there is none (tests, createCaller). */
  transport: Transport | null;
  limits?: SlowConsumerLimits;
  /** Called for every event handed to the socket (delivery receipts); must not block or throw. */
  onDelivered?: (event: StoredEvent, payload: T) => void;
  /**
   * Serves the subscription from the live fan-out once it is at the head: resolves with the
   * position to pull from again (it fell behind, or ended); null when it cannot take it now.
   */
  live?: (position: Position, signal: AbortSignal | undefined) => Promise<Position> | null;
}

/**
 * Yields every event after the start that `project` lets through, as `tracked(position, payload)`,
 * then waits for more. Pull-based from one shared log: nothing is buffered per subscriber here, a
 * socket that stops draining pauses its subscription and is closed if it stays full, and resuming
 * from any position gives exactly the events missed, in order, once.
 */
export async function* streamEvents<T>(options: StreamOptions<T>) {
  const { hub, project, signal, metrics, role, transport } = options;
  const limits = options.limits ?? DEFAULT_SLOW_CONSUMER_LIMITS;
  const replayUntil = options.start.resumed ? hub.head : null;
  let position = options.start.from;
  const delivered = metrics.eventsDelivered.labels(role);
  metrics.subscribers.inc({ role });
  try {
    if (options.start.resync) {
      metrics.resyncs.inc();
      yield tracked(encodePosition(position), RESYNC);
    }
    while (!signal?.aborted && !hub.stopped) {
      const batch = await readWithRetry(hub, position, signal);
      if (batch.length === 0) {
        const served = options.live?.(position, signal);
        if (served) position = await served;
        else await hub.waitForNewer(position, signal);
        continue;
      }
      for (const event of batch) {
        position = event.position;
        const payload = project(event);
        if (payload === null) continue;
        if (transport && !(await roomToSend(transport, limits, signal, metrics))) return;
        delivered.inc();
        if (replayUntil !== null && position <= replayUntil) metrics.eventsReplayed.inc();
        else if (!event.latencyObserved) {
          event.latencyObserved = true;
          metrics.deliveryLatency.observe(Math.max(0, options.now() - event.createdAt.getTime()) / 1000);
        }
        options.onDelivered?.(event, payload);
        yield tracked(event.cursor, payload);
      }
    }
  } finally {
    metrics.subscribers.dec({ role });
  }
}
