import {
  encodePosition,
  type Position,
  parsePosition,
  type RoomEvent,
  type RoomState,
} from '@dispatch/domain';
import { TRPCError, tracked } from '@trpc/server';
import type { RoomFeed } from '../../log/room-feed.ts';
import { loadRoom, toRoomMessage } from '../../queries/room.ts';
import { onMessageInput } from './room.schema.ts';
import { roomProcedure } from './room-procedure.ts';

const PAGE = 200;
/** A subscriber re-reads its room at least this often, even if no notification came. */
const RECHECK_MS = 10_000;

/**
 * Where a room stream starts: after the client's last event, or from the first message. A
 * position this log never handed out (ahead of every committed message, or an old-format id)
 * gets a resync and the room from the start: the client drops what it had and rebuilds.
 */
async function startOf(feed: RoomFeed, lastEventId: string | null | undefined) {
  if (!lastEventId) return { from: 0n, resync: false };
  const position = parsePosition(lastEventId);
  if (position !== null && position > feed.head) await feed.catchUp();
  if (position === null || position > feed.head) return { from: 0n, resync: true };
  return { from: position, resync: false };
}

const sameState = (a: RoomState, b: RoomState) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The room live: first its state, then every message after `lastEventId` in order, then new
 * messages as they commit and the state whenever it changes (the other side's marks, my unread
 * count, the room turning read-only). Each event is `tracked(position)`: a client that reconnects
 * with its last id gets exactly the messages it missed, in order, once, on any server process.
 * Access is re-judged on every wake; a viewer who loses the room gets NOT_FOUND and nothing more.
 */
export const onMessage = roomProcedure.input(onMessageInput).subscription(async function* ({
  ctx,
  input,
  signal,
}) {
  const feed = ctx.hub.rooms;
  const viewer = ctx.user.viewer;
  const watch = feed.watch(input.sessionId);
  try {
    const start = await startOf(feed, input.lastEventId);
    let position: Position = start.from;
    let room = ctx.room;
    const id = () => encodePosition(position);
    if (start.resync) yield tracked(id(), { kind: 'resync', reason: 'position_unknown' } satisfies RoomEvent);
    yield tracked(id(), { kind: 'state', state: room.state } satisfies RoomEvent);
    while (!signal?.aborted && !feed.stopped) {
      watch.dirty = false;
      const rows = await feed.readRoom(input.sessionId, position, PAGE);
      for (const row of rows) {
        position = row.position;
        const message = toRoomMessage(row, viewer, room.facts);
        yield tracked(id(), { kind: 'message', message } satisfies RoomEvent);
      }
      if (rows.length === PAGE) continue;
      const next = await loadRoom(ctx.db, viewer, input.sessionId);
      if (!next) throw new TRPCError({ code: 'NOT_FOUND', message: 'This request is no longer available.' });
      if (!sameState(next.state, room.state)) {
        room = next;
        yield tracked(id(), { kind: 'state', state: room.state } satisfies RoomEvent);
      }
      await watch.wait(signal, RECHECK_MS);
    }
  } finally {
    watch.close();
  }
});
