import { type Position, parsePosition } from '@dispatch/domain';
import type { EventHub } from './hub.ts';

/** Where a subscription starts: after the client's last event, or live from now. */
export function startPosition(hub: EventHub, lastEventId: string | null | undefined): Position {
  return (lastEventId ? parsePosition(lastEventId) : null) ?? hub.head;
}
