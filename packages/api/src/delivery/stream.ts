import { comparePositions, encodePosition, type Position } from '@dispatch/domain';
import { tracked } from '@trpc/server';
import type { Metrics } from '../observability/metrics.ts';
import type { EventHub } from './hub.ts';
import type { StoredEvent } from './stored-event.ts';

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
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt)));
    }
  }
}

export interface StreamOptions<T> {
  hub: EventHub;
  from: Position;
  /** True when the client resumed from its own last position (events up to the head are replays). */
  resumed: boolean;
  project: (event: StoredEvent) => T | null;
  signal: AbortSignal | undefined;
  metrics: Metrics;
  role: string;
  now: () => number;
}

/**
 * Yields every event after `from` that `project` lets through, as `tracked(position, payload)`,
 * then waits for more. Pull-based from one shared log: no per-subscriber buffer can overflow,
 * and resuming from any position gives exactly the events missed, in order, once.
 */
export async function* streamEvents<T>(options: StreamOptions<T>) {
  const { hub, project, signal, metrics, role } = options;
  const replayUntil = options.resumed ? hub.head : null;
  let position = options.from;
  const delivered = metrics.eventsDelivered.labels(role);
  metrics.subscribers.inc({ role });
  try {
    while (!signal?.aborted && !hub.stopped) {
      const batch = await readWithRetry(hub, position, signal);
      if (batch.length === 0) {
        await hub.waitForNewer(position, signal);
        continue;
      }
      for (const event of batch) {
        position = event.position;
        const payload = project(event);
        if (payload === null) continue;
        delivered.inc();
        if (replayUntil && comparePositions(position, replayUntil) <= 0) metrics.eventsReplayed.inc();
        else observeFirstDelivery(metrics, event, options.now);
        yield tracked(encodedPosition(event), payload);
      }
    }
  } finally {
    metrics.subscribers.dec({ role });
  }
}

/** Every subscriber gets the same position string for an event: encode it once. */
const encodedPositions = new WeakMap<StoredEvent, string>();
function encodedPosition(event: StoredEvent): string {
  let text = encodedPositions.get(event);
  if (text === undefined) {
    text = encodePosition(event.position);
    encodedPositions.set(event, text);
  }
  return text;
}

/** Delivery latency is observed at an event's first live delivery on this process, not per subscriber. */
const observed = new WeakSet<StoredEvent>();
function observeFirstDelivery(metrics: Metrics, event: StoredEvent, now: () => number): void {
  if (observed.has(event)) return;
  observed.add(event);
  metrics.deliveryLatency.observe(Math.max(0, now() - event.createdAt.getTime()) / 1000);
}
