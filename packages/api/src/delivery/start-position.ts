import { type Position, parsePosition } from '@dispatch/domain';
import type { EventHub } from './hub.ts';

/** Where a subscription starts: after the client's last event, or live from now. */
export function startPosition(
  hub: EventHub,
  lastEventId: string | null | undefined,
): { from: Position; resumed: boolean } {
  const given = lastEventId ? parsePosition(lastEventId) : null;
  return given ? { from: given, resumed: true } : { from: hub.head, resumed: false };
}
