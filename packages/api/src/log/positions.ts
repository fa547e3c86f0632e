import { type Position, parseLegacyPosition, parsePosition } from '@dispatch/domain';
import type { EventHub } from './hub.ts';

/** Where a subscription starts, and whether the client must reload its snapshot first. */
export interface StreamStart {
  from: Position;
  /** The client resumed from its own last position: events up to the head are replays. */
  resumed: boolean;
  /** The client's position names no event of this log: it gets a resync signal, then the stream from the head. */
  resync: boolean;
}

const live = (hub: EventHub): StreamStart => ({ from: hub.head, resumed: false, resync: false });
const resync = (hub: EventHub): StreamStart => ({ from: hub.head, resumed: false, resync: true });

/**
 * Resolves a client's `lastEventId` (already validated by positionSchema). A position this process
 * has not read yet may come from a process further ahead, so it catches up once before deciding;
 * one still ahead of every committed event, or an older-format position naming no event, was never
 * handed out by this log (another deployment, a reset database, a forged id): resync, never silence.
 */
export async function resolveStart(
  hub: EventHub,
  lastEventId: string | null | undefined,
): Promise<StreamStart> {
  if (!lastEventId) return live(hub);
  const position = parsePosition(lastEventId);
  if (position !== null) {
    if (position > hub.head) await hub.catchUp();
    return position <= hub.head ? { from: position, resumed: true, resync: false } : resync(hub);
  }
  const legacy = parseLegacyPosition(lastEventId);
  const mapped = legacy ? await hub.findLegacy(legacy) : null;
  return mapped === null ? resync(hub) : { from: mapped, resumed: true, resync: false };
}
