import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  photoUploadRefusal,
  readSessionToken,
  roomPhoto,
  type Services,
  uploadRoomPhoto,
} from '@dispatch/api';
import { PHOTO_MAX_BYTES } from '@dispatch/domain';
import type { Logger } from 'pino';
import { originAllowed } from './origin.ts';

export const ROOM_PHOTOS_PATH = '/room-photos';

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

const refuse = (res: ServerResponse, status: number, message: string, retryAfterMs: number | null = null) =>
  json(
    res,
    status,
    { error: { message, retryAfterMs } },
    retryAfterMs === null ? {} : { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  );

/** The body, or null once it passes `limit` bytes (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/**
 * The session room's photos over HTTP (see packages/api routers/room/photos.ts for why not tRPC):
 *   POST /room-photos?sessionId=…&clientKey=…   the image bytes as the body, its type as Content-Type
 *   GET  /room-photos/<message id>              the bytes, to the room's members (and admins) only
 * Both need the session cookie; anyone else gets 404 exactly like an unknown id.
 */
export function roomPhotosHandler(services: Services, log: Logger) {
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const user = await services.auth.userFor(readSessionToken(req.headers.cookie));
    if (!user) return refuse(res, 401, 'Log in first.');
    if (req.method === 'GET' && path.startsWith(`${ROOM_PHOTOS_PATH}/`)) {
      const photo = await roomPhoto(services, user, path.slice(ROOM_PHOTOS_PATH.length + 1));
      if (!photo) return refuse(res, 404, 'This photo is not available.');
      res.writeHead(200, {
        'content-type': photo.type,
        'content-length': String(photo.data.byteLength),
        'cache-control': 'private, max-age=86400, immutable',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'",
        'content-disposition': 'inline',
      });
      res.end(photo.data);
      return;
    }
    if (req.method !== 'POST' || path !== ROOM_PHOTOS_PATH) return refuse(res, 404, 'Not found.');
    if (!originAllowed(req, services.config.allowedOrigins))
      return refuse(res, 403, 'Cross-origin request refused.');
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > PHOTO_MAX_BYTES) {
      return refuse(res, 413, `The photo is too large: at most ${PHOTO_MAX_BYTES / 1024 / 1024} MB.`);
    }
    const data = await readBody(req, PHOTO_MAX_BYTES);
    if (!data)
      return refuse(res, 413, `The photo is too large: at most ${PHOTO_MAX_BYTES / 1024 / 1024} MB.`);
    const query = new URL(req.url ?? '/', 'http://local').searchParams;
    try {
      const message = await uploadRoomPhoto(services, user, {
        sessionId: query.get('sessionId'),
        clientKey: query.get('clientKey'),
        declaredType: req.headers['content-type'] ?? null,
        data,
      });
      json(res, 200, { message });
    } catch (error) {
      const refusal = photoUploadRefusal(error);
      if (refusal) return refuse(res, refusal.status, refusal.message, refusal.retryAfterMs);
      log.error({ err: error }, 'photo upload failed');
      refuse(res, 500, 'Something went wrong on our side. Please try again.');
    }
  };
}
