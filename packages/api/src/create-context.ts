import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { readSessionToken } from './auth/cookie.ts';
import { loadUser } from './auth/load-user.ts';
import type { Context, RequestMeta, Services, SignedInUser } from './context.ts';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{8,100}$/;

/**
 * The request's id: a well-formed X-Request-Id from a proxy, or a new one. It is written back to
 * the header, so every later reader of this request (logs, context, events) sees the same id.
 */
export function requestIdOf(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  const id = typeof header === 'string' && REQUEST_ID_PATTERN.test(header) ? header : randomUUID();
  req.headers['x-request-id'] = id;
  return id;
}

/** Facts about the caller's connection. */
export function requestMeta(req: IncomingMessage): RequestMeta {
  const forwardedProto = req.headers['x-forwarded-proto'];
  return {
    requestId: requestIdOf(req),
    ip: req.socket.remoteAddress ?? 'unknown',
    userAgent: (req.headers['user-agent'] ?? 'unknown').slice(0, 500),
    secure: Boolean((req.socket as TLSSocket).encrypted) || forwardedProto === 'https',
  };
}

/** Users already authenticated when their WebSocket upgrade was accepted, so a socket loads them once. */
const upgradedUsers = new WeakMap<IncomingMessage, SignedInUser>();

export function rememberUpgradedUser(req: IncomingMessage, user: SignedInUser): void {
  upgradedUsers.set(req, user);
}

/** One factory for HTTP requests and WebSocket connections. */
export function createContextFactory(services: Services) {
  return async ({ req, res }: { req: IncomingMessage; res?: ServerResponse | unknown }): Promise<Context> => {
    const user =
      upgradedUsers.get(req) ??
      (await loadUser(services.db, readSessionToken(req.headers.cookie), services.now()));
    const httpResponse = isServerResponse(res) ? res : null;
    return {
      ...services,
      user,
      meta: requestMeta(req),
      setCookie: httpResponse ? (header) => appendSetCookie(httpResponse, header) : null,
    };
  };
}

function isServerResponse(value: unknown): value is ServerResponse {
  return typeof value === 'object' && value !== null && 'setHeader' in value && 'getHeader' in value;
}

function appendSetCookie(res: ServerResponse, header: string): void {
  const existing = res.getHeader('set-cookie');
  const list = Array.isArray(existing) ? existing : typeof existing === 'string' ? [existing] : [];
  res.setHeader('set-cookie', [...list, header]);
}
