import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestDatabase } from '@dispatch/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.ts';
import { client, freshDatabase, intake, logIn, start } from './harness.ts';

let database: TestDatabase;
let server: RunningServer;
beforeAll(async () => {
  database = await freshDatabase();
  server = await start(database, { PROCESS_NAME: 'web-7' });
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

const explain = (...args: string[]) =>
  promisify(execFile)(
    'npx',
    ['tsx', fileURLToPath(new URL('../scripts/explain.ts', import.meta.url)), ...args],
    {
      // The terminal's time zone is the one shown: UTC here, so the test can read the times back.
      env: { ...process.env, DATABASE_URL: database.url, TZ: 'UTC' },
    },
  ).then(
    (out) => ({ code: 0, stdout: out.stdout, stderr: out.stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );

it('pnpm explain <session> names every mechanic with the verdict and why; with an email, that mechanic’s receipts', async () => {
  const db = database.db;
  const harbor = await db.workshop.findFirstOrThrow({ where: { name: { startsWith: 'Harbor' } } });
  const customer = client(server, (await logIn(server, 'customer1@demo.test')).cookie);
  const booked = await customer.trpc.session.create.mutate({
    intake: { ...intake, sessionType: 'in_person', workshopId: harbor.id },
    idempotencyKey: `explain-${Date.now()}`,
    allowAnotherOpen: true,
  });
  customer.close();
  // b1 (Harbor) opens the dashboard: the list hands it the card, the page says it showed it.
  const b1 = client(server, (await logIn(server, 'b1@demo.test')).cookie);
  await b1.trpc.mechanic.touch.mutate();
  await b1.trpc.queue.list.query();
  await b1.trpc.receipts.report.mutate({
    items: [{ sessionId: booked.sessionId, version: 0, channel: 'shown', ageMs: 0 }],
  });
  b1.close();
  await db.mechanic.update({
    where: { userId: (await db.user.findUniqueOrThrow({ where: { email: 'b2@demo.test' } })).id },
    data: { availability: 'away', awaySetAt: new Date('2026-12-01T14:02:00.000Z'), lastSeenAt: new Date() },
  });
  await new Promise((resolve) => setTimeout(resolve, 1500)); // receipts are batched about once a second

  const all = await explain(booked.sessionId);
  expect(all.code).toBe(0);
  expect(all.stdout).toContain(
    `Session ${booked.sessionId}: In person at ${harbor.name}, queued, broadcast dispatch.`,
  );
  const line = (email: string) => all.stdout.split('\n').find((l) => l.includes(email)) ?? '';
  expect(line('virtual@demo.test')).toMatch(
    /no .*virtual_only .*Cannot see it: virtual-only, and this is an in-person visit/,
  );
  expect(line('a1@demo.test')).toMatch(/wrong_workshop .*Cannot see it: wrong workshop \(this is for Harbor/);
  expect(line('b2@demo.test')).toContain('Away since 2026-12-01 14:02:00.000');
  expect(line('b1@demo.test')).toMatch(
    /yes .*can_see +Can see it; delivered \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} on web-7 and shown \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}/,
  );

  const one = await explain(booked.sessionId, 'b1@demo.test');
  expect(one.code).toBe(0);
  expect(one.stdout).not.toContain('a1@demo.test');
  expect(one.stdout).toMatch(
    /Receipts, oldest first:\n {2}\S+ \S+ {2}delivered on web-7\n {2}\S+ \S+ {2}shown/,
  );

  expect((await explain('00000000-0000-4000-8000-000000000000')).code).toBe(1);
  expect((await explain(booked.sessionId, 'nobody@demo.test')).code).toBe(1);
  const usage = await explain('not-a-session');
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain('Usage: pnpm explain <session id> [<mechanic email>]');
  // Two cold `npx tsx` runs of the script: about 5 s each on a quiet machine, far more on a loaded one.
}, 90_000);
