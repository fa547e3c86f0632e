import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { readSessionToken } from './auth/cookie.ts';
import type { Context, RequestMeta, Services } from './context.ts';
import { type SocketLike, SocketTransport } from './log/stream.ts';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{8,100}$/;

/** Which peers are proxies whose X-Request-Id and X-Forwarded-Proto headers we believe. */
export interface ProxyTrust {
  trustedProxies: readonly string[];
}

const NO_PROXIES: ProxyTrust = { trustedProxies: [] };

function fromTrustedProxy(req: IncomingMessage, trust: ProxyTrust): boolean {
  const peer = req.socket.remoteAddress ?? '';
  return trust.trustedProxies.includes(peer) || trust.trustedProxies.includes(peer.replace(/^::ffff:/, ''));
}

/**
 * The request's id: a well-formed X-Request-Id set by a configured proxy, or a new one; a client
 * cannot choose the id stored on audit events. It is written back to the header, so every later
 * reader of this request (logs, context, events) sees the same id.
 */
export function requestIdOf(req: IncomingMessage, trust: ProxyTrust = NO_PROXIES): string {
  const assigned = (req as IncomingMessage & { dispatchRequestId?: string }).dispatchRequestId;
  if (assigned) return assigned;
  const header = req.headers['x-request-id'];
  const id =
    typeof header === 'string' && REQUEST_ID_PATTERN.test(header) && fromTrustedProxy(req, trust)
      ? header
      : // randomUUID builds its text from ~20 concatenated pieces; normalize() hands back one flat
        // string instead of that chain (~400 B for as long as a WebSocket keeps its request).
        randomUUID().normalize();
  (req as IncomingMessage & { dispatchRequestId?: string }).dispatchRequestId = id;
  return id;
}

/** Facts about the caller's connection. */
export function requestMeta(req: IncomingMessage, trust: ProxyTrust = NO_PROXIES): RequestMeta {
  const forwardedProto = fromTrustedProxy(req, trust) ? req.headers['x-forwarded-proto'] : undefined;
  return {
    requestId: requestIdOf(req, trust),
    ip: req.socket.remoteAddress ?? 'unknown',
    userAgent: (req.headers['user-agent'] ?? 'unknown').slice(0, 500),
    secure: Boolean((req.socket as TLSSocket).encrypted) || forwardedProto === 'https',
  };
}

function isSocket(value: unknown): value is SocketLike {
  return typeof value === 'object' && value !== null && 'bufferedAmount' in value && 'terminate' in value;
}

/**
 * One factory for HTTP requests and WebSocket connections. It asks only the auth cache: a cookie
 * this process has not cached is looked up by the call's middleware, once the call is admitted, so
 * a call refused for load costs no query (trpc.ts).
 */
export function createContextFactory(services: Services, trust: ProxyTrust = NO_PROXIES) {
  return async ({ req, res }: { req: IncomingMessage; res?: ServerResponse | unknown }): Promise<Context> => {
    const token = readSessionToken(req.headers.cookie);
    const user = services.auth.cachedUser(token);
    const httpResponse = isServerResponse(res) ? res : null;
    const transport = isSocket(res) ? SocketTransport.of(res) : null;
    // Object.assign, not `{ ...services, … }`: under V8 11 a spread literal with more properties
    // after it gets a hidden class of its own per object (~450 B each socket holds).
    return Object.assign({}, services, {
      user,
      // Always present (undefined when cached or no cookie): one object shape, no spread (above).
      unresolvedSessionToken: token && !user ? token : undefined,
      meta: requestMeta(req, trust),
      setCookie: httpResponse ? (header: string) => appendSetCookie(httpResponse, header) : null,
      transport,
    });
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
