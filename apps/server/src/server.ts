import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import {
  Admission,
  type ApiConfig,
  AuthSessions,
  appRouter,
  createContextFactory,
  createMetrics,
  DEFAULT_SLOW_CONSUMER_LIMITS,
  Dispatcher,
  EventHub,
  onCommittedEvents,
  type RateLimits,
  ReceiptWriter,
  readSessionToken,
  requestIdOf,
  retryAfterMsOf,
  type Services,
  StaffFanOut,
  sharedRateLimiter,
} from '@dispatch/api';
import { fromStoredEvent, startPushSender, startRoomAlerts } from '@dispatch/api/alerts';
import { createDb } from '@dispatch/db';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import pg from 'pg';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Env } from './env.ts';
import { liveness, readiness } from './http/health.ts';
import { metricsHandler } from './http/metrics.ts';
import { originAllowed } from './http/origin.ts';
import { ROOM_PHOTOS_PATH, roomPhotosHandler } from './http/room-photos.ts';
import { createStaticApps } from './http/static-apps.ts';
import { mutationPath } from './http/trpc-mutations.ts';
import { KeepAlive, type KeepAliveOptions } from './ws/keep-alive.ts';
import { PresenceTracker } from './ws/presence-tracker.ts';
import { sharedPayloadEncoder } from './ws/shared-payload-encoder.ts';
import { SocketRegistry } from './ws/socket-registry.ts';

export const MAX_BODY_BYTES = 64 * 1024;

export interface ServerOptions {
  env: Env;
  databaseUrl: string;
  log: Logger;
  now?: () => Date;
  dispatcherTickMs?: number;
  /** WebSocket keep-alive (tRPC's PING/PONG); 15 s of silence, then 5 s for the answer. */
  keepAlive?: KeepAliveOptions;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Where /metrics is served when METRICS_PORT is set; otherwise it is on `url` behind METRICS_TOKEN. */
  metricsUrl: string | null;
  services: Services;
  dispatcher: Dispatcher;
  /** Tells WebSocket clients to reconnect elsewhere, finishes in-flight requests, then stops. */
  close(): Promise<void>;
  /** Terminates every WebSocket at once, as a crashing proxy would (fault injection). */
  dropAllSockets(): number;
  /** Bytes queued on each open WebSocket and not yet sent (what a stalled reader costs). */
  socketBufferedBytes(): number[];
}

export function apiConfig(env: Env): ApiConfig {
  return {
    dispatchMode: env.DISPATCH_MODE,
    offerTimeoutMs: env.OFFER_TIMEOUT_SECONDS * 1000,
    queueTimeoutMs: env.QUEUE_TIMEOUT_SECONDS * 1000,
    allowedOrigins: env.ALLOWED_ORIGINS,
    missedOfferLimit: env.MISSED_OFFER_LIMIT,
    slowConsumer: { highWaterBytes: env.SLOW_CONSUMER_HIGH_WATER_BYTES, stallMs: env.SLOW_CONSUMER_STALL_MS },
    iceServers: env.ICE_SERVERS,
  };
}

export function rateLimits(env: Env): RateLimits {
  return {
    logIn: env.RATE_LIMIT_LOGIN_PER_MINUTE,
    signUp: env.RATE_LIMIT_SIGNUP_PER_10_MINUTES,
    createSession: env.RATE_LIMIT_BOOKINGS_PER_MINUTE,
    roomMessage: env.RATE_LIMIT_ROOM_MESSAGES_PER_MINUTE,
    callSignal: env.RATE_LIMIT_CALL_SIGNALS_PER_MINUTE,
  };
}

/** One process: HTTP and WebSocket on one port, the event hub, the dispatcher, both SPAs. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { env, log } = options;
  const now = options.now ?? (() => new Date());
  const db = createDb(options.databaseUrl, {
    poolSize: env.DB_POOL_SIZE,
    limits: {
      statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
      lockTimeoutMs: env.DB_LOCK_TIMEOUT_MS,
      idleInTransactionTimeoutMs: env.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
  });
  const hub = new EventHub({ connectionString: options.databaseUrl, log: log.child({ part: 'hub' }) });
  await hub.start();
  // This process's own commits reach its subscribers without waiting for NOTIFY and a read.
  onCommittedEvents(db, (row) => hub.committed(row));
  const processName = env.PROCESS_NAME ?? `${hostname()}:${process.pid}`;
  const metrics = createMetrics(processName);
  hub.onEvents((events) => {
    for (const event of events) metrics.eventsCommitted.inc({ type: event.type });
  });
  // Rate-limit counters live in PostgreSQL so they hold across processes; their own small pool.
  const rateLimitPool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  rateLimitPool.on('error', (error) => log.warn({ err: error.message }, 'rate-limit pool error'));
  // Delivery receipts: batched inserts on their own connection, never on a request's path.
  const receiptPool = new pg.Pool({ connectionString: options.databaseUrl, max: 1 });
  receiptPool.on('error', (error) => log.warn({ err: error.message }, 'receipt pool error'));
  const receipts = new ReceiptWriter({
    pool: receiptPool,
    process: processName,
    log: log.child({ part: 'receipts' }),
    registry: metrics.registry,
    retentionDays: env.RECEIPT_RETENTION_DAYS,
  });
  receipts.start();
  const admission = new Admission({
    concurrency: env.DB_POOL_SIZE,
    queue: env.ADMISSION_QUEUE,
    maxWaitMs: env.ADMISSION_MAX_WAIT_MS,
  });
  const config = apiConfig(env);
  // Registered after the metrics listener above and before any subscriber joins.
  const fanOut = new StaffFanOut({
    hub,
    mode: config.dispatchMode,
    metrics,
    now: Date.now,
    highWaterBytes: (config.slowConsumer ?? DEFAULT_SLOW_CONSUMER_LIMITS).highWaterBytes,
  });
  const services: Services = {
    db,
    hub,
    auth: new AuthSessions(db, hub, now),
    admission,
    config,
    log,
    now,
    rateLimiter: sharedRateLimiter(rateLimitPool, rateLimits(env)),
    metrics,
    receipts,
    fanOut,
  };

  const dispatcher = new Dispatcher(services, {
    tickMs: options.dispatcherTickMs ?? 1000,
    strandedAfterMs: env.STRANDED_AFTER_SECONDS * 1000,
  });
  // Targeted mode offers a newly queued (or declined) request at once. Broadcast mode makes no
  // offers: its passes only run timers (queue limit, stranded sessions), which the tick covers, so
  // a pass per booking there was four queries per event for nothing.
  if (config.dispatchMode === 'targeted') {
    hub.onEvents((events) => {
      if (events.some((event) => event.toStatus === 'queued' || event.toStatus === 'declined'))
        dispatcher.poke();
    });
  }
  dispatcher.start();
  // Web Push from the event log, outside every writing transaction; one claim per device and event.
  const push = startPushSender(services, hub, fromStoredEvent, {
    instanceId: processName,
    ...(env.PUSH_SUBJECT ? { vapidSubject: env.PUSH_SUBJECT } : {}),
  });

  // A chat message the other side has not read within a few seconds is pushed to them.
  const roomAlerts = startRoomAlerts({
    db,
    log: log.child({ part: 'room-alerts' }),
    feed: hub.rooms,
    sender: push.sender,
  });

  const presence = new PresenceTracker(db, log, now, processName);
  presence.start();
  // A mechanic's socket counts them online from here until it closes.
  const sockets = new SocketRegistry({ db, hub, metrics, log, now, presence });
  sockets.start();

  const createContext = createContextFactory(services, { trustedProxies: env.TRUSTED_PROXIES });
  const onError = ({
    error,
    path,
    ctx,
  }: {
    error: { code: string; cause?: unknown };
    path?: string;
    ctx?: { meta: { requestId: string } };
  }) => {
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      log.error({ err: error.cause ?? error, path, requestId: ctx?.meta.requestId }, 'procedure failed');
    }
    if (error.code === 'SERVICE_UNAVAILABLE') metrics.admissionRefused.inc();
  };
  // The adapter and the mutation path below answer the same URLs with the same body limit and errors.
  const trpcHttp = {
    router: appRouter,
    createContext,
    onError,
    basePath: '/trpc/',
    maxBodySize: MAX_BODY_BYTES,
  };
  const trpc = createHTTPHandler({
    ...trpcHttp,
    responseMeta: ({ errors }) => ({ headers: retryAfterHeaders(errors) }),
  });
  // One plain mutation (what httpLink sends) skips the adapter's Request/Response conversion; the
  // same procedure call, error shape and headers (http/trpc-mutations.ts).
  const mutations = mutationPath({
    ...trpcHttp,
    headersFor: retryAfterHeaders,
  });
  const serveMetrics = metricsHandler({ metrics, hub, admission, token: env.METRICS_TOKEN ?? null });
  const roomPhotos = roomPhotosHandler(services, log.child({ part: 'room-photos' }));
  const apps = env.SERVE_APPS ? createStaticApps() : null;
  if (apps?.missing.length) log.warn({ missing: apps.missing }, 'app builds not found; run `pnpm build`');

  const notFound = (res: ServerResponse) => {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return liveness(res);
    if (path === '/readyz' || path === '/health')
      return void readiness(res, db, hub, env.READY_MAX_LAG_SECONDS);
    if (path === '/metrics') {
      if (env.METRICS_PORT === undefined && env.METRICS_TOKEN) return void serveMetrics(req, res);
      return notFound(res);
    }
    // Every HTTP request carries an id (a trusted proxy's, or a new one) into its transaction and events.
    const requestId = requestIdOf(req, { trustedProxies: env.TRUSTED_PROXIES });
    res.setHeader('x-request-id', requestId);
    const started = performance.now();
    res.once('finish', () => {
      if (!path?.startsWith('/trpc/')) return;
      log.info(
        {
          requestId,
          method: req.method,
          path,
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
        },
        'request',
      );
    });
    if (path?.startsWith('/trpc/')) {
      if (req.method !== 'GET' && !originAllowed(req, services.config.allowedOrigins)) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('Cross-origin request refused');
        return;
      }
      if (mutations(req, res)) return;
      return trpc(req, res);
    }
    if (path === ROOM_PHOTOS_PATH || path?.startsWith(`${ROOM_PHOTOS_PATH}/`)) {
      return void roomPhotos(req, res, path).catch((error: unknown) => {
        log.error({ err: error, requestId }, 'room photo request failed');
        if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' }).end('Please try again.');
      });
    }
    if (apps) return apps.handle(req, res, () => notFound(res));
    notFound(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  const wsHandler = applyWSSHandler({
    wss,
    router: appRouter,
    createContext,
    onError,
    // One timer for every socket instead of tRPC's per-socket timers (ws/keep-alive.ts).
    keepAlive: { enabled: false },
    experimental_encoder: sharedPayloadEncoder,
  });
  const keepAlive = new KeepAlive(wss, options.keepAlive ?? { pingMs: 15_000, pongWaitMs: 5_000 });
  server.on('upgrade', (req, socket, head) => {
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if ((req.url ?? '').split('?')[0] !== '/trpc') return refuse(404, 'Not Found');
    if (!originAllowed(req, services.config.allowedOrigins)) return refuse(403, 'Forbidden');
    services.auth
      .userFor(readSessionToken(req.headers.cookie))
      .then((user) => {
        if (!user) return refuse(401, 'Unauthorized');
        log.info(
          { requestId: requestIdOf(req, { trustedProxies: env.TRUSTED_PROXIES }), role: user.viewer.role },
          'socket connected',
        );
        // Nothing made here outlives the upgrade: what an open socket keeps is in `sockets` and tRPC.
        wss.handleUpgrade(req, socket, head, (ws) => {
          sockets.add(ws, user);
          keepAlive.add(ws);
          wss.emit('connection', ws, req);
        });
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'WebSocket authentication failed');
        refuse(503, 'Service Unavailable');
      });
  });

  await new Promise<void>((resolve, reject) => {
    // A listen error (port taken since main.ts checked it) rejects with one clear line.
    const failed = (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `port ${env.PORT} is already in use. Fix: stop the program using it, or choose another PORT`
            : `cannot listen on ${env.HOST}:${env.PORT} (${error.code ?? error.message}). Fix: check HOST and PORT`,
          { cause: error },
        ),
      );
    server.once('error', failed);
    server.listen(env.PORT, env.HOST, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const metricsServer =
    env.METRICS_PORT === undefined
      ? null
      : createServer((req, res) =>
          (req.url ?? '/').split('?')[0] === '/metrics' ? void serveMetrics(req, res) : notFound(res),
        );
  if (metricsServer) {
    await new Promise<void>((resolve) => metricsServer.listen(env.METRICS_PORT, env.METRICS_HOST, resolve));
  }
  const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST;

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      wsHandler.broadcastReconnectNotification();
      const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const client of wss.clients) client.close(1012, 'Server restarting');
      await httpClosed;
      await new Promise((resolve) => (metricsServer ? metricsServer.close(resolve) : resolve(undefined)));
      sockets.stop();
      keepAlive.stop();
      presence.stop();
      await dispatcher.stop();
      roomAlerts.stop();
      await push.stop();
      await presence.forget();
      await receipts.stop();
      fanOut.stop();
      await hub.stop();
      await rateLimitPool.end();
      await receiptPool.end();
      await db.$disconnect();
    })();
    return closing;
  };

  const dropAllSockets = () => {
    let count = 0;
    for (const socket of wss.clients) {
      socket.terminate();
      count += 1;
    }
    return count;
  };

  const metricsUrl = metricsServer
    ? `http://${env.METRICS_HOST}:${(metricsServer.address() as AddressInfo).port}/metrics`
    : null;
  const socketBufferedBytes = () => [...wss.clients].map((client) => client.bufferedAmount);
  return {
    url: `http://${host}:${port}`,
    port,
    metricsUrl,
    services,
    dispatcher,
    close,
    dropAllSockets,
    socketBufferedBytes,
  };
}

/** A refusal for load says when to come back, in the header every HTTP client understands too. */
function retryAfterHeaders(errors: readonly { cause?: unknown }[]): Record<string, string> {
  const waits = errors.map((error) => retryAfterMsOf(error)).filter((ms): ms is number => ms !== null);
  if (waits.length === 0) return {};
  return { 'retry-after': String(Math.max(1, Math.ceil(Math.max(...waits) / 1000))) };
}
