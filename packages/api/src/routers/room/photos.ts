import type { RoomMessage } from '@dispatch/domain';
import { clientKeySchema } from '@dispatch/domain';
import { z } from 'zod';
import { CommandError, notFound } from '../../commands/errors.ts';
import { checkPhoto, roomClosed, sendRoomMessage } from '../../commands/room/send-message.ts';
import type { Services, SignedInUser } from '../../context.ts';
import { loadRoom, photoFor, toRoomMessage } from '../../queries/room.ts';

/**
 * Photos travel over plain authenticated HTTP, not tRPC: a photo may be 5 MB, the tRPC body and
 * WebSocket frame limit is 64 KB for everything else (base64 would also add a third), and an
 * `<img src>` can load the bytes with the session cookie and the browser's cache. The rules are the
 * room's: the same membership check, the same rate limit, the same message with an attachment.
 * apps/server's room-photos route is the adapter; these return values or throw CommandError.
 */
const uploadInput = z.object({ sessionId: z.uuid('Unknown session'), clientKey: clientKeySchema });

class RoomSendLimited extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`You are sending messages too fast. Your photo will go in ${Math.ceil(retryAfterMs / 1000)} s.`);
  }
}

export async function uploadRoomPhoto(
  services: Services,
  user: SignedInUser,
  request: { sessionId: unknown; clientKey: unknown; declaredType: string | null; data: Uint8Array },
): Promise<RoomMessage> {
  const parsed = uploadInput.safeParse({ sessionId: request.sessionId, clientKey: request.clientKey });
  if (!parsed.success) {
    throw new CommandError('invalid', parsed.error.issues[0]?.message ?? 'Please check your input.');
  }
  const { sessionId, clientKey } = parsed.data;
  const room = await loadRoom(services.db, user.viewer, sessionId);
  if (!room) throw notFound();
  if (room.state.side === null) {
    throw new CommandError('refused', 'Admins can read a session room but not write in it.', {
      refusal: 'actor_not_allowed',
    });
  }
  if (room.access !== 'write') throw roomClosed();
  const type = checkPhoto(request.data, request.declaredType);
  const { message } = await sendRoomMessage(
    services.db,
    { sessionId, authorId: user.id, clientKey, body: '', photo: { type, data: request.data } },
    (id) => services.hub.rooms.readOne(id),
    async () => {
      const waitMs = await services.rateLimiter.hit('roomMessage', user.id);
      if (waitMs > 0) throw new RoomSendLimited(waitMs);
    },
  );
  return toRoomMessage(message, user.viewer, room.facts);
}

/** A photo's bytes for a member of its room (or an admin); null for anyone else and unknown ids. */
export function roomPhoto(services: Services, user: SignedInUser, messageId: string) {
  if (!z.uuid().safeParse(messageId).success) return Promise.resolve(null);
  return photoFor(services.db, user.viewer, messageId);
}

const STATUS: Record<CommandError['kind'], number> = {
  not_found: 404,
  invalid: 400,
  conflict: 409,
  refused: 403,
  busy: 503,
};

/**
 * What an HTTP client is told when an upload fails: a status and one plain sentence (the same
 * words as the tRPC procedures); anything unexpected is a 500 whose details stay in the log.
 */
export function photoUploadRefusal(
  error: unknown,
): { status: number; message: string; retryAfterMs: number | null } | null {
  if (error instanceof RoomSendLimited)
    return { status: 429, message: error.message, retryAfterMs: error.retryAfterMs };
  if (error instanceof CommandError) {
    const tooLarge = error.kind === 'invalid' && error.message.startsWith('The photo is too large');
    return {
      status: tooLarge ? 413 : STATUS[error.kind],
      message: error.message,
      retryAfterMs: error.details.retryAfterMs ?? null,
    };
  }
  return null;
}
