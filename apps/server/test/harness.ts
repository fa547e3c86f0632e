import type { AppRouter } from '@dispatch/api';
import { seed } from '@dispatch/db';
import { createTestDatabase, type TestDatabase } from '@dispatch/db/testing';
import { createTRPCClient, createWSClient, httpLink, splitLink, wsLink } from '@trpc/client';
import pino from 'pino';
import WebSocket from 'ws';
import { type Env, loadEnv } from '../src/env.ts';
import { type RunningServer, startServer } from '../src/server.ts';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function testEnv(overrides: Record<string, string> = {}): Env {
  return loadEnv({ PORT: '0', HOST: '127.0.0.1', SERVE_APPS: 'false', LOG_LEVEL: 'silent', ...overrides });
}

export async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  await seed(database.db);
  // Most tests accept many requests with the same few mechanics; capacity has its own tests.
  await database.db.mechanic.updateMany({ data: { virtualCapacity: 1000 } });
  return database;
}

export function start(
  database: TestDatabase,
  overrides: Record<string, string> = {},
): Promise<RunningServer> {
  return startServer({ env: testEnv(overrides), databaseUrl: database.url, log, dispatcherTickMs: 200 });
}

/** Logs in over HTTP and returns the session cookie the server set. */
export async function logIn(server: RunningServer, email: string, password = 'demo-password-1') {
  const res = await fetch(`${server.url}/trpc/auth.logIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { status: res.status, setCookie, cookie: setCookie.split(';')[0] ?? '' };
}

/** A typed client like the apps use: queries over HTTP, subscriptions over an authenticated WebSocket. */
export function client(server: RunningServer, cookie: string, SocketClass?: typeof WebSocket) {
  class CookieWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers: { cookie } });
    }
  }
  const wsClient = createWSClient({
    url: `${server.url.replace('http', 'ws')}/trpc`,
    WebSocket: (SocketClass ?? CookieWebSocket) as unknown as typeof globalThis.WebSocket,
    retryDelayMs: () => 50,
  });
  const trpc = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLink({ client: wsClient }),
        false: httpLink({ url: `${server.url}/trpc`, headers: { cookie } }),
      }),
    ],
  });
  // Closing the socket is fire-and-forget for tests: nothing waits on it.
  return {
    trpc,
    wsClient,
    close: () => {
      void wsClient.close();
    },
  };
}

export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A valid paid chat booking, for tests that need traffic rather than a particular request. */
export const intake = {
  customerName: 'Ana Ortiz',
  vehicleYear: 2014,
  vehicleMake: 'Honda',
  vehicleModel: 'Civic',
  concern: 'Grinding noise when braking',
  sessionType: 'chat' as const,
  plan: 'paid' as const,
  // Asked for in-person and urgent requests (tests spread this and add `urgent: true`).
  callbackPhone: '+44 20 7946 0958',
};
