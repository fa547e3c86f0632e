import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { readSessionToken } from './auth/cookie.ts';
import type { Context, RequestMeta, Services } from './context.ts';
import type { LiveTransport } from './log/stream.ts';

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
      : randomUUID();
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

interface SocketLike {
  bufferedAmount: number;
  readyState: number;
  send(data: string | Buffer, options?: { binary?: boolean }, callback?: (error?: Error) => void): void;
  close(code: number, reason: string): void;
  terminate(): void;
}

const OPEN = 1;
/** What tRPC's ws adapter sends when a subscription starts: `{"id":…,` then this. */
const STARTED_TAIL = '"result":{"type":"started"}}';

function isSocket(value: unknown): value is SocketLike {
  return typeof value === 'object' && value !== null && 'bufferedAmount' in value && 'terminate' in value;
}

/** A socket that cannot even take its close frame (its reader is stalled) is dropped after this. */
const CLOSE_GRACE_MS = 1000;

function transportOf(socket: SocketLike): LiveTransport {
  // The subscription body waiting to learn its id from its `started` frame (see LiveTransport).
  let claim: ((head: string | null) => void) | null = null;
  const send = socket.send.bind(socket);
  socket.send = (data, options, callback) => {
    if (claim && typeof data === 'string' && data.endsWith(STARTED_TAIL) && data.startsWith('{"id":')) {
      const answer = claim;
      claim = null;
      answer(data.slice(0, data.length - STARTED_TAIL.length));
    }
    send(data, options, callback);
  };
  return {
    isOpen: () => socket.readyState === OPEN,
    sendFrame: (frame, options) => send(frame, options),
    claimSubscriptionStart: () => {
      claim?.(null);
      return new Promise((resolve) => {
        const mine = (head: string | null) => resolve(head);
        claim = mine;
        // tRPC sends `started` in the same synchronous run that started the body; later is not ours.
        queueMicrotask(() => {
          if (claim !== mine) return;
          claim = null;
          resolve(null);
        });
      });
    },
    bufferedBytes: () => socket.bufferedAmount,
    close: (code, reason) => {
      socket.close(code, reason);
      setTimeout(() => {
        if (socket.readyState !== 3) socket.terminate();
      }, CLOSE_GRACE_MS).unref();
    },
  };
}

/** One factory for HTTP requests and WebSocket connections. */
export function createContextFactory(services: Services, trust: ProxyTrust = NO_PROXIES) {
  return async ({ req, res }: { req: IncomingMessage; res?: ServerResponse | unknown }): Promise<Context> => {
    const user = await services.auth.userFor(readSessionToken(req.headers.cookie));
    const httpResponse = isServerResponse(res) ? res : null;
    const transport = isSocket(res) ? transportOf(res) : null;
    return {
      ...services,
      user,
      meta: requestMeta(req, trust),
      setCookie: httpResponse ? (header) => appendSetCookie(httpResponse, header) : null,
      transport,
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
