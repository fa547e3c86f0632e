import type { Db } from '@dispatch/db';
import {
  type AssignmentStatus,
  type PhotoType,
  type RoomAccess,
  type RoomFacts,
  type RoomMessage,
  type RoomSide,
  type RoomState,
  roomAccess,
  type SessionType,
  type Viewer,
} from '@dispatch/domain';
import type { RoomMessageRow } from '../log/room-feed.ts';

/** A room as the rule and the procedures need it: its facts, the caller's access and state. */
export interface LoadedRoom {
  facts: RoomFacts;
  access: Exclude<RoomAccess, null>;
  state: RoomState;
}

interface StateRow {
  status: AssignmentStatus;
  customer_id: string;
  mechanic_id: string | null;
  type: SessionType;
  customer_name: string;
  mechanic_name: string | null;
  customer_delivered: string;
  customer_read: string;
  mechanic_delivered: string;
  mechanic_read: string;
}

/** Photos are served at this path, to the room's members only (apps/server room-photos route). */
const photoUrl = (messageId: string) => `/room-photos/${messageId}`;

/**
 * The room of a session if the viewer may enter it (the domain's `roomAccess`), else null: the
 * caller answers null exactly like an unknown session. One query: facts, names and both marks;
 * the unread count is the viewer's own.
 */
export async function loadRoom(db: Db, viewer: Viewer, sessionId: string): Promise<LoadedRoom | null> {
  const rows = await db.$queryRaw<StateRow[]>`
    SELECT a.status, s.customer_id, a.mechanic_id, s.type, s.customer_name, mu.display_name AS mechanic_name,
           coalesce(rc.delivered_up_to, 0)::text AS customer_delivered, coalesce(rc.read_up_to, 0)::text AS customer_read,
           coalesce(rm.delivered_up_to, 0)::text AS mechanic_delivered, coalesce(rm.read_up_to, 0)::text AS mechanic_read
      FROM sessions s
      JOIN session_assignments a ON a.session_id = s.id
      LEFT JOIN users mu ON mu.id = a.mechanic_id
      LEFT JOIN room_reads rc ON rc.session_id = s.id AND rc.user_id = s.customer_id
      LEFT JOIN room_reads rm ON rm.session_id = s.id AND rm.user_id = a.mechanic_id
     WHERE s.id = ${sessionId}::uuid`;
  const row = rows[0];
  if (!row) return null;
  const facts: RoomFacts = { status: row.status, customerId: row.customer_id, mechanicId: row.mechanic_id };
  const access = roomAccess(viewer, facts);
  if (access === null) return null;
  const side: RoomSide | null =
    viewer.role === 'customer' ? 'customer' : viewer.role === 'mechanic' ? 'mechanic' : null;
  const mine = side === 'mechanic' ? 'mechanic' : 'customer';
  const other = side === 'mechanic' ? 'customer' : 'mechanic';
  const marks = {
    customer: { delivered: row.customer_delivered, read: row.customer_read },
    mechanic: { delivered: row.mechanic_delivered, read: row.mechanic_read },
  };
  const myRead = side ? marks[mine].read : '0';
  const unread = side
    ? Number(
        (
          await db.$queryRaw<{ n: number }[]>`
            SELECT count(*)::int AS n FROM room_messages
             WHERE session_id = ${sessionId}::uuid AND author_id <> ${viewer.userId}::uuid
               AND position > ${myRead}::bigint`
        )[0]?.n ?? 0,
      )
    : 0;
  return {
    facts,
    access,
    state: {
      sessionId,
      access,
      side,
      sessionType: row.type,
      customerName: row.customer_name,
      mechanicName: row.mechanic_name ?? 'Your mechanic',
      marks: {
        otherDelivered: marks[other].delivered,
        otherRead: marks[other].read,
        myRead,
        unread,
      },
    },
  };
}

/** A stored message as one viewer sees it. */
export function toRoomMessage(row: RoomMessageRow, viewer: Viewer, facts: RoomFacts): RoomMessage {
  return {
    id: row.id,
    position: row.position.toString(),
    clientKey: row.clientKey,
    author: row.authorId === facts.customerId ? 'customer' : 'mechanic',
    authorName: row.authorName,
    mine: row.authorId === viewer.userId,
    body: row.body,
    createdAt: row.createdAt.toISOString(),
    photo:
      row.photoId && row.photoType
        ? { type: row.photoType as PhotoType, bytes: row.photoBytes ?? 0, url: photoUrl(row.id) }
        : null,
  };
}

/**
 * The viewer's unread messages per room, for the rooms they are a member of (customers: their
 * sessions; mechanics: the sessions they hold), most recent first; rooms with nothing unread are
 * left out. Admins have no unread counts.
 */
export async function unreadCounts(db: Db, viewer: Viewer): Promise<{ sessionId: string; unread: number }[]> {
  if (viewer.role === 'admin') return [];
  const mineClause =
    viewer.role === 'customer'
      ? db.$queryRaw<{ session_id: string; unread: number }[]>`
          SELECT m.session_id, count(*)::int AS unread
            FROM room_messages m
            JOIN sessions s ON s.id = m.session_id
            JOIN session_assignments a ON a.session_id = s.id
            LEFT JOIN room_reads r ON r.session_id = m.session_id AND r.user_id = ${viewer.userId}::uuid
           WHERE s.customer_id = ${viewer.userId}::uuid AND a.mechanic_id IS NOT NULL
             AND a.status IN ('accepted', 'completed', 'cancelled')
             AND m.author_id <> ${viewer.userId}::uuid AND m.position > coalesce(r.read_up_to, 0)
           GROUP BY m.session_id ORDER BY max(m.position) DESC LIMIT 100`
      : db.$queryRaw<{ session_id: string; unread: number }[]>`
          SELECT m.session_id, count(*)::int AS unread
            FROM room_messages m
            JOIN session_assignments a ON a.session_id = m.session_id
            LEFT JOIN room_reads r ON r.session_id = m.session_id AND r.user_id = ${viewer.userId}::uuid
           WHERE a.mechanic_id = ${viewer.userId}::uuid AND a.status IN ('accepted', 'completed', 'cancelled')
             AND m.author_id <> ${viewer.userId}::uuid AND m.position > coalesce(r.read_up_to, 0)
           GROUP BY m.session_id ORDER BY max(m.position) DESC LIMIT 100`;
  const rows = await mineClause;
  return rows.map((row) => ({ sessionId: row.session_id, unread: Number(row.unread) }));
}

/** A photo's bytes if the viewer may enter its room; null otherwise (answered like "no such photo"). */
export async function photoFor(
  db: Db,
  viewer: Viewer,
  messageId: string,
): Promise<{ type: string; data: Uint8Array } | null> {
  const rooms = await db.$queryRaw<{ session_id: string; photo_id: string }[]>`
    SELECT session_id, photo_id FROM room_messages WHERE id = ${messageId}::uuid AND photo_id IS NOT NULL`;
  const room = rooms[0];
  if (!room || (await loadRoom(db, viewer, room.session_id)) === null) return null;
  const photos = await db.$queryRaw<{ content_type: string; data: Uint8Array }[]>`
    SELECT content_type, data FROM room_photos WHERE id = ${room.photo_id}::uuid`;
  const photo = photos[0];
  return photo ? { type: photo.content_type, data: photo.data } : null;
}
