import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { freePort } from '@dispatch/db/testing';

const require = createRequire(import.meta.url);

interface CapturedPush {
  clientHash: string;
  ttl: string | undefined;
  topic: string | undefined;
  urgency: string | undefined;
  at: number;
}

export interface PushServiceSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  clientHash: string;
}

/**
 * `web-push-testing` (a real, local push service: it checks the VAPID JWT, decrypts the
 * aes128gcm payload and keeps the messages) run in this process, with the request headers it
 * does not keep (Topic, Urgency) captured on the side.
 */
export interface LocalPushService {
  url: string;
  captured: CapturedPush[];
  subscribe(applicationServerKey: string): Promise<PushServiceSubscription>;
  messages(clientHash: string): Promise<string[]>;
  expire(clientHash: string): Promise<void>;
  close(): Promise<void>;
}

export async function startLocalPushService(): Promise<LocalPushService> {
  const { PushApiModel } = require('web-push-testing/src/PushApiModel.js') as {
    PushApiModel: new () => unknown;
  };
  const WebPushTestingServer = require('web-push-testing/src/server.js') as {
    new (
      model: unknown,
      port: number,
    ): { _app: { use(fn: unknown): void }; _server: Server; startServer(): void };
  };
  const port = await freePort();
  const server = new WebPushTestingServer(new PushApiModel(), port);
  const captured: CapturedPush[] = [];
  server._app.use(
    (req: { path: string; headers: Record<string, string | undefined> }, _res: unknown, next: () => void) => {
      const match = /^\/notify\/(.+)$/.exec(req.path);
      if (match?.[1])
        captured.push({
          clientHash: match[1],
          ttl: req.headers.ttl,
          topic: req.headers.topic,
          urgency: req.headers.urgency,
          at: Date.now(),
        });
      next();
    },
  );
  const log = console.log;
  console.log = () => {};
  server.startServer();
  await new Promise<void>((resolve) => server._server.once('listening', () => resolve()));
  console.log = log;
  const url = `http://localhost:${port}`;
  const post = async (path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
    return text.startsWith('{') ? (JSON.parse(text) as { data: unknown }) : { data: null };
  };
  return {
    url,
    captured,
    subscribe: async (applicationServerKey) =>
      (await post('/subscribe', { userVisibleOnly: 'true', applicationServerKey }))
        .data as PushServiceSubscription,
    messages: async (clientHash) =>
      ((await post('/get-notifications', { clientHash })).data as { messages: string[] }).messages,
    expire: async (clientHash) => {
      await post(`/expire-subscription/${clientHash}`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server._server.closeAllConnections?.();
        server._server.close(() => resolve());
      }),
  };
}
