import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppRouter } from '@dispatch/api';
import type { TestDatabase } from '@dispatch/db/testing';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RunningServer } from '../src/server.ts';
import { client, freshDatabase, intake, logIn, start, waitFor } from './harness.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(() => database?.drop());

it('delivers an event committed the instant a subscription is acknowledged', async () => {
  const server = await start(database);
  const mechanic = client(server, (await logIn(server, 'virtual@demo.test')).cookie);
  const customer = client(server, (await logIn(server, 'customer1@demo.test')).cookie);
  for (let round = 0; round < 5; round += 1) {
    const received: string[] = [];
    let booked = '';
    const sub = mechanic.trpc.queue.onChange.subscribe(
      {},
      {
        onStarted: () => {
          void customer.trpc.session.create
            .mutate({ intake, idempotencyKey: `early-${round}-${Date.now()}`, allowAnotherOpen: true })
            .then(
              (s) => {
                booked = s.assignmentId;
              },
              (error: unknown) => {
                booked = `failed: ${String(error)}`;
              },
            );
        },
        onData: (e) =>
          received.push(
            e.data.kind === 'upsert'
              ? e.data.card.assignmentId
              : e.data.kind === 'removed'
                ? e.data.assignmentId
                : 'resync',
          ),
      },
    );
    await waitFor(() => booked !== '' && received.includes(booked), 5000);
    sub.unsubscribe();
  }
  mechanic.close();
  customer.close();
  await server.close();
});

it('on shutdown tells sockets to reconnect elsewhere, finishes in-flight mutations and loses nothing', async () => {
  // 21 bookings by one customer in this test alone: the booking limit (shared by both processes
  // through the database) is not what this test is about.
  const roomy = { RATE_LIMIT_BOOKINGS_PER_MINUTE: '1000' };
  const [leaving, staying] = await Promise.all([start(database, roomy), start(database, roomy)]);
  const cookie = (await logIn(staying, 'a1@demo.test')).cookie;
  let target: RunningServer = leaving;
  class CookieWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers: { cookie } });
    }
  }
  const wsClient = createWSClient({
    url: () => `${target.url.replace('http', 'ws')}/trpc`,
    WebSocket: CookieWebSocket as unknown as typeof globalThis.WebSocket,
    retryDelayMs: () => 50,
  });
  const mechanic = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
  const customer = client(leaving, (await logIn(leaving, 'customer2@demo.test')).cookie);
  const { position } = await client(staying, cookie).trpc.queue.list.query();
  const received: string[] = [];
  const sub = mechanic.queue.onChange.subscribe(
    { lastEventId: position },
    {
      onData: (e) =>
        received.push(
          e.data.kind === 'upsert'
            ? e.data.card.assignmentId
            : e.data.kind === 'removed'
              ? e.data.assignmentId
              : 'resync',
        ),
    },
  );
  await waitFor(() => wsClient.connectionState.get().state === 'pending');

  // Some mutations finish before the shutdown, some are in flight during it, some come too late.
  const settled = Promise.allSettled(
    Array.from({ length: 20 }, (_, i) =>
      customer.trpc.session.create.mutate({
        intake,
        idempotencyKey: `shutdown-${i}-${Date.now()}`,
        allowAnotherOpen: true,
      }),
    ),
  );
  target = staying;
  await waitFor(() => received.length >= 1, 5000);
  await leaving.close();
  const results = await settled;
  const created = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.assignmentId] : []));
  expect(created.length).toBeGreaterThan(0);
  const late = await client(
    staying,
    (await logIn(staying, 'customer2@demo.test')).cookie,
  ).trpc.session.create.mutate({
    intake,
    idempotencyKey: `after-shutdown-${Date.now()}`,
    allowAnotherOpen: true,
  });
  await waitFor(() => received.includes(late.assignmentId), 8000);
  for (const id of created) expect(received).toContain(id);
  const committed = await database.db.sessionAssignment.findMany({
    where: { session: { idempotencyKey: { startsWith: 'shutdown-' } } },
    select: { id: true },
  });
  expect(committed.map((c) => c.id).sort()).toEqual([...created].sort());
  expect(new Set(received).size).toBe(received.length);
  sub.unsubscribe();
  await wsClient.close();
  customer.close();
  await staying.close();
});

it('SIGTERM stops the real process cleanly', async () => {
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const logFile = path.join(await mkdtemp(path.join(tmpdir(), 'dispatch-lifecycle-')), 'server.log');
  // node itself (not npx) so the signal reaches the server process, not a wrapper.
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      PORT: '0',
      SERVE_APPS: 'false',
      SEED_DEMO_DATA: 'false',
      LOG_FILE: logFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += String(chunk);
  });
  await waitFor(() => output.includes('Customer app'), 30_000);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  // The terminal shows the banner only; the log file has the rest.
  expect(output).not.toContain('"msg"');
  expect(await readFile(logFile, 'utf8')).toContain('shutting down');
}, 60_000);
