import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, type TestDatabase } from '@dispatch/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.ts';
import { client, freshDatabase, intake, logIn, waitFor } from './harness.ts';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

let database: TestDatabase;
let child: ChildProcess | undefined;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  child?.kill('SIGKILL');
  for (const pid of await childrenOf(child?.pid ?? -1)) process.kill(pid, 'SIGKILL');
  await database?.drop();
});

/** The server processes whose parent is `pid` (Linux /proc; not tsx's esbuild helper). */
async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the command (which may hold spaces) start at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || Number(fields[1]) !== pid) continue;
    const command = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (command.includes('main.ts')) out.push(Number(entry));
  }
  return out;
}

it('SERVER_PROCESSES=2 serves one port from two processes, replaces one that dies, and stops cleanly', async () => {
  const port = await freePort();
  const logFile = path.join(await mkdtemp(path.join(tmpdir(), 'dispatch-cluster-')), 'server.log');
  child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      SERVE_APPS: 'false',
      SEED_DEMO_DATA: 'false',
      LOG_FILE: logFile,
      SERVER_PROCESSES: '2',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  await waitFor(() => output.includes('Customer app'), 60_000);
  expect(output).toContain(`Processes:     2 on port ${port}`);
  const primary = child.pid ?? -1;
  const workers = await childrenOf(primary);
  expect(workers).toHaveLength(2);

  // Bookings over HTTP reach a mechanic's socket whichever process each lands on.
  const server = { url: `http://127.0.0.1:${port}` } as RunningServer;
  const mechanic = client(server, (await logIn(server, 'virtual@demo.test')).cookie);
  const customer = client(server, (await logIn(server, 'customer1@demo.test')).cookie);
  const seen = new Set<string>();
  let started = false;
  const sub = mechanic.trpc.queue.onChange.subscribe(
    {},
    {
      onStarted: () => {
        started = true;
      },
      onData: (e) => {
        if (e.data.kind === 'upsert') seen.add(e.data.card.assignmentId);
      },
    },
  );
  await waitFor(() => started, 10_000);
  const book = (n: number) =>
    customer.trpc.session.create.mutate({
      intake,
      idempotencyKey: `cluster-${n}-${Date.now()}`,
      allowAnotherOpen: true,
    });
  const booked = await Promise.all(Array.from({ length: 6 }, (_, n) => book(n)));
  await waitFor(() => booked.every((b) => seen.has(b.assignmentId)), 10_000);

  // A process that dies is replaced; the port keeps answering meanwhile.
  process.kill(workers[0] ?? -1, 'SIGKILL');
  // A keep-alive connection to the dead process fails once (ECONNRESET), as it would for any
  // client; the retry lands on the survivor.
  let afterKill: Awaited<ReturnType<typeof book>> | undefined;
  for (let attempt = 0; attempt < 3 && !afterKill; attempt += 1) {
    afterKill = await book(100 + attempt).catch(() => undefined);
  }
  expect(afterKill?.assignmentId).toMatch(/^[0-9a-f-]{36}$/);
  let replaced: number[] = [];
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    replaced = await childrenOf(primary);
    if (replaced.length === 2 && !replaced.includes(workers[0] ?? -1)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(replaced).toHaveLength(2);
  expect(replaced).not.toContain(workers[0]);
  expect(replaced).toContain(workers[1]);

  sub.unsubscribe();
  mechanic.close();
  customer.close();
  const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(await childrenOf(primary)).toEqual([]);
  for (const pid of replaced) expect(() => process.kill(pid, 0)).toThrow();
  expect(await readFile(logFile, 'utf8')).toContain('server process died; replacing it');
}, 120_000);
