import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, type TestDatabase } from '@dispatch/db/testing';
import { STRANDED_REASON_PREFIX } from '@dispatch/domain';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.ts';
import { client, freshDatabase, intake, logIn, waitFor } from './harness.ts';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const STRANDED_AFTER_SECONDS = 5;

let database: TestDatabase;
const children: ChildProcess[] = [];
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await database?.drop();
});

/** The real server as its own process, so it can die the way a crash or an OOM kill does. */
async function serverProcess(port: number): Promise<{ child: ChildProcess; server: RunningServer }> {
  const logFile = path.join(await mkdtemp(path.join(tmpdir(), 'dispatch-stranded-')), 'server.log');
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      SERVE_APPS: 'false',
      SEED_DEMO_DATA: 'false',
      LOG_FILE: logFile,
      STRANDED_AFTER_SECONDS: String(STRANDED_AFTER_SECONDS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  await waitFor(() => output.includes('Customer app'), 30_000);
  // Only the URL is used by the harness's client; the rest of RunningServer stays in that process.
  return { child, server: { url: `http://127.0.0.1:${port}` } as RunningServer };
}

async function killed(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

it('an accepted session whose mechanic never came back after the server was killed returns to the queue at its place', async () => {
  const db = database.db;
  const port = await freePort();
  const first = await serverProcess(port);
  const customer = client(first.server, (await logIn(first.server, 'customer1@demo.test')).cookie);
  const mechanic = client(first.server, (await logIn(first.server, 'virtual@demo.test')).cookie);
  await mechanic.trpc.mechanic.setAvailability.mutate({ availability: 'available' });
  // A live dashboard: its socket is what keeps the mechanic present.
  const sub = mechanic.trpc.queue.onChange.subscribe({}, { onData: () => {} });
  const booked = await customer.trpc.session.create.mutate({
    intake,
    idempotencyKey: `stranded-${Date.now()}`,
    allowAnotherOpen: true,
  });
  await mechanic.trpc.assignment.accept.mutate({ assignmentId: booked.assignmentId });
  const accepted = await db.sessionAssignment.findUniqueOrThrow({ where: { id: booked.assignmentId } });
  expect(accepted.status).toBe('accepted');

  // The process dies with the mechanic's socket; the mechanic's laptop never reconnects.
  sub.unsubscribe();
  mechanic.close();
  customer.close();
  await killed(first.child);
  const diedAt = Date.now();
  const second = await serverProcess(port);

  // Not before the setting: a short blip must not take the session away.
  const early = await db.sessionAssignment.findUniqueOrThrow({ where: { id: booked.assignmentId } });
  if (Date.now() - diedAt < (STRANDED_AFTER_SECONDS - 1) * 1000) expect(early.status).toBe('accepted');

  let status = early.status;
  const deadline = Date.now() + (STRANDED_AFTER_SECONDS + 15) * 1000;
  while (status !== 'queued' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    status = (await db.sessionAssignment.findUniqueOrThrow({ where: { id: booked.assignmentId } })).status;
  }
  const returned = await db.sessionAssignment.findUniqueOrThrow({ where: { id: booked.assignmentId } });
  expect(returned).toMatchObject({ status: 'queued', mechanicId: null, queuedAt: accepted.queuedAt });
  const last = await db.assignmentEvent.findFirstOrThrow({
    where: { assignmentId: booked.assignmentId },
    orderBy: { position: 'desc' },
  });
  expect(last).toMatchObject({ type: 'requeue', fromStatus: 'accepted', toStatus: 'queued' });
  expect(last.reason?.startsWith(STRANDED_REASON_PREFIX)).toBe(true);
  expect(last.reason).toContain(`${STRANDED_AFTER_SECONDS} s`);

  // The customer, on the new process, reads that they are waiting again.
  const back = client(second.server, (await logIn(second.server, 'customer1@demo.test')).cookie);
  expect((await back.trpc.session.get.query({ sessionId: booked.sessionId })).status).toBe('waiting');
  back.close();
  await killed(second.child);
}, 90_000);
