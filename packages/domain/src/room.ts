import { z } from 'zod';
import { text } from './schemas.ts';
import type { AssignmentStatus, SessionType } from './statuses.ts';
import type { Viewer } from './visibility.ts';

/**
 * The session room: chat and photos between a session's customer and its mechanic. Pure rules
 * and wire shapes; the server enforces them, both apps read them.
 */

/** At most this many characters in one message (after trimming). */
export const MESSAGE_MAX_CHARS = 2000;
/** Photo attachments: at most this many bytes, and only these types (checked by magic bytes). */
export const PHOTO_MAX_BYTES = 5 * 1024 * 1024;
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoType = (typeof PHOTO_TYPES)[number];

/** What the room rule needs of a session's assignment. */
export interface RoomFacts {
  status: AssignmentStatus;
  customerId: string;
  mechanicId: string | null;
}

/**
 * Who may do what in a session's room: `write` (send, mark) for its customer and its mechanic while
 * the session is accepted; `read` for them once it is completed or cancelled after an accept, and
 * for admins at any time; null for everyone else, and for a session that has no mechanic (never
 * accepted, or back in the queue). Null answers exactly like an unknown session.
 */
export type RoomAccess = 'write' | 'read' | null;

export function roomAccess(viewer: Viewer, facts: RoomFacts): RoomAccess {
  const open = facts.status === 'accepted';
  const closed = facts.status === 'completed' || facts.status === 'cancelled';
  if (facts.mechanicId === null || !(open || closed)) return null;
  const member =
    (viewer.role === 'customer' && viewer.userId === facts.customerId) ||
    (viewer.role === 'mechanic' && viewer.userId === facts.mechanicId);
  if (member) return open ? 'write' : 'read';
  return viewer.role === 'admin' ? 'read' : null;
}

/** Which side of the room someone is on. */
export type RoomSide = 'customer' | 'mechanic';

/** Identifies the photo type from its first bytes; null for anything but JPEG, PNG or WebP. */
export function sniffPhotoType(bytes: Uint8Array): PhotoType | null {
  const at = (i: number) => bytes[i] ?? -1;
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.every((byte, i) => at(i) === byte)) return 'image/png';
  const ascii = (from: number, word: string) => [...word].every((c, i) => at(from + i) === c.charCodeAt(0));
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
  return null;
}

export const messageBodySchema = text('Message', 1, MESSAGE_MAX_CHARS, { multiline: true });

/** A client-generated UUID per message: a resend after a drop returns the first message. */
export const clientKeySchema = z.uuid('Message key must be a UUID');

/** One message as the room shows it to one viewer. */
export interface RoomMessage {
  id: string;
  /** The message's position in the room log (decimal text; also its stream event id). */
  position: string;
  clientKey: string;
  author: RoomSide;
  authorName: string;
  /** Written by the viewer. */
  mine: boolean;
  body: string;
  createdAt: string;
  photo: { type: PhotoType; bytes: number; url: string } | null;
}

/** Each side's marks as positions; the viewer's own unread count. */
export interface RoomMarks {
  /** The other side's client received everything up to here (✓✓ on the viewer's messages). */
  otherDelivered: string;
  /** The other side had everything up to here in view (read). */
  otherRead: string;
  /** The viewer's own read mark. */
  myRead: string;
  /** Messages from the other side after the viewer's read mark. */
  unread: number;
}

export interface RoomState {
  sessionId: string;
  access: Exclude<RoomAccess, null>;
  /** The viewer's side; null for an admin reading. */
  side: RoomSide | null;
  sessionType: SessionType;
  customerName: string;
  mechanicName: string;
  marks: RoomMarks;
}

/** What `room.onMessage` yields: messages in order, the marks whenever they moved, or a resync. */
export type RoomEvent =
  | { kind: 'message'; message: RoomMessage }
  | { kind: 'state'; state: RoomState }
  | { kind: 'resync'; reason: 'position_unknown' };
