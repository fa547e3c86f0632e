import { encodePosition, type Position } from '@dispatch/domain';
import { tracked } from '@trpc/server';
import type { EventHub } from './hub.ts';
import type { StoredEvent } from './stored-event.ts';

/**
 * Yields every event after `from` that `project` lets through, as `tracked(position, payload)`,
 * then waits for more. Pull-based from one shared log: no per-subscriber buffer can overflow,
 * and resuming from any position gives exactly the events missed, in order, once.
 */
export async function* streamEvents<T>(
  hub: EventHub,
  from: Position,
  project: (event: StoredEvent) => T | null,
  signal: AbortSignal | undefined,
) {
  let position = from;
  while (!signal?.aborted && !hub.stopped) {
    const batch = await hub.readAfter(position);
    if (batch.length === 0) {
      await hub.waitForNewer(position, signal);
      continue;
    }
    for (const event of batch) {
      position = event.position;
      const payload = project(event);
      if (payload !== null) yield tracked(encodePosition(position), payload);
    }
  }
}
