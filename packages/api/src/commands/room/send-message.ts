import type { Db } from '@dispatch/db';
import { PHOTO_MAX_BYTES, type PhotoType, sniffPhotoType } from '@dispatch/domain';
import type { RoomMessageRow } from '../../log/room-feed.ts';
import { CommandError } from '../errors.ts';

export const roomClosed = () =>
  new CommandError('conflict', 'This session has ended: its chat can be read but not written to.');

export interface NewRoomMessage {
  sessionId: string;
  authorId: string;
  clientKey: string;
  body: string;
  photo?: { type: PhotoType; data: Uint8Array } | null;
}

/**
 * Appends one message (text, or a photo with an optional caption) in one statement. The insert
 * happens only while the author is the session's customer or its mechanic and the session is
 * accepted, judged in the same statement (a Complete that commits first closes the room for it).
 * The photo's bytes are written before the message row, so the room's order lock (taken by the
 * message insert's trigger) is held only for the small row. The client's key makes a resend
 * return the first message: `ON CONFLICT DO NOTHING`, then the existing row.
 */
export async function sendRoomMessage(
  db: Db,
  message: NewRoomMessage,
  read: (id: string) => Promise<RoomMessageRow | null>,
  /** Runs only for a message not sent before (the rate limit: a resend costs nothing). */
  beforeInsert: () => Promise<void> = async () => {},
): Promise<{ message: RoomMessageRow; duplicate: boolean }> {
  const existing = await findByKey(db, message);
  if (existing) return { message: (await read(existing)) ?? fail(), duplicate: true };
  await beforeInsert();
  const photo = message.photo ?? null;
  const rows = photo
    ? await db.$queryRaw<{ id: string }[]>`
        WITH writable AS (
          SELECT 1 FROM session_assignments a JOIN sessions s ON s.id = a.session_id
           WHERE a.session_id = ${message.sessionId}::uuid AND a.status = 'accepted'
             AND (a.mechanic_id = ${message.authorId}::uuid OR s.customer_id = ${message.authorId}::uuid)
        ), photo AS (
          INSERT INTO room_photos (id, session_id, content_type, byte_size, data)
          SELECT gen_random_uuid(), ${message.sessionId}::uuid, ${photo.type}, ${photo.data.byteLength},
                 ${Buffer.from(photo.data.buffer, photo.data.byteOffset, photo.data.byteLength)}
           WHERE EXISTS (SELECT 1 FROM writable)
          RETURNING id
        )
        INSERT INTO room_messages (id, session_id, author_id, client_key, body, photo_id, created_at)
        SELECT gen_random_uuid(), ${message.sessionId}::uuid, ${message.authorId}::uuid,
               ${message.clientKey}::uuid, ${message.body}, photo.id, clock_timestamp()
          FROM photo
        ON CONFLICT (session_id, author_id, client_key) DO NOTHING
        RETURNING id`
    : await db.$queryRaw<{ id: string }[]>`
        INSERT INTO room_messages (id, session_id, author_id, client_key, body, created_at)
        SELECT gen_random_uuid(), ${message.sessionId}::uuid, ${message.authorId}::uuid,
               ${message.clientKey}::uuid, ${message.body}, clock_timestamp()
          FROM session_assignments a JOIN sessions s ON s.id = a.session_id
         WHERE a.session_id = ${message.sessionId}::uuid AND a.status = 'accepted'
           AND (a.mechanic_id = ${message.authorId}::uuid OR s.customer_id = ${message.authorId}::uuid)
        ON CONFLICT (session_id, author_id, client_key) DO NOTHING
        RETURNING id`;
  const id = rows[0]?.id ?? (await findByKey(db, message));
  if (!id) throw roomClosed();
  const stored = await read(id);
  if (!stored) fail();
  return { message: stored, duplicate: rows.length === 0 };
}

async function findByKey(db: Db, message: NewRoomMessage): Promise<string | null> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM room_messages
     WHERE session_id = ${message.sessionId}::uuid AND author_id = ${message.authorId}::uuid
       AND client_key = ${message.clientKey}::uuid`;
  return rows[0]?.id ?? null;
}

function fail(): never {
  throw new Error('a stored room message could not be read back');
}

/**
 * A photo as uploaded: at most PHOTO_MAX_BYTES, and JPEG, PNG or WebP by its magic bytes (the
 * declared type must agree, so a mislabelled file is refused rather than served as something else).
 */
export function checkPhoto(data: Uint8Array, declaredType: string | null): PhotoType {
  if (data.byteLength === 0) throw new CommandError('invalid', 'The photo is empty.');
  if (data.byteLength > PHOTO_MAX_BYTES) {
    throw new CommandError('invalid', `The photo is too large: at most ${PHOTO_MAX_BYTES / 1024 / 1024} MB.`);
  }
  const type = sniffPhotoType(data);
  if (!type) throw new CommandError('invalid', 'Only JPEG, PNG or WebP photos can be sent.');
  const declared = declaredType?.split(';')[0]?.trim().toLowerCase() ?? null;
  if (declared && declared !== type) {
    throw new CommandError(
      'invalid',
      'The photo is not the type it says it is. Send a JPEG, PNG or WebP photo.',
    );
  }
  return type;
}
