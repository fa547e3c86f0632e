import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { audit, fixFindings } from '@dispatch/api';
import type { TestDatabase } from '@dispatch/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.ts';
import { client, freshDatabase, intake, logIn, start } from './harness.ts';

let database: TestDatabase;
let server: RunningServer;
beforeAll(async () => {
  database = await freshDatabase();
  server = await start(database);
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

async function book(n: number) {
  const customer = client(server, (await logIn(server, 'customer1@demo.test')).cookie);
  const created = await customer.trpc.session.create.mutate({
    intake,
    idempotencyKey: `audit-${n}-${Date.now()}`,
    allowAnotherOpen: true,
  });
  customer.close();
  return created;
}

const runCli = (...args: string[]) =>
  promisify(execFile)(
    'npx',
    ['tsx', fileURLToPath(new URL('../scripts/audit.ts', import.meta.url)), ...args],
    {
      env: { ...process.env, DATABASE_URL: database.url },
    },
  ).then(
    (out) => ({ code: 0, stdout: out.stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );

it('a consistent database has no findings and the command exits 0', async () => {
  await book(0);
  expect(await audit(database.db)).toEqual([]);
  const cli = await runCli();
  expect(cli.code).toBe(0);
  expect(cli.stdout).toContain('No inconsistencies found.');
});

it('reports each kind of inconsistency made directly in the database, and fixes only the safe ones', async () => {
  const db = database.db;
  const [mismatched, overdue, drifted, jumpy] = [await book(1), await book(2), await book(3), await book(4)];
  // From here on nothing but this test touches the database (the dispatcher would repair offers).
  await server.close();
  await db.helpSession.update({ where: { id: mismatched.sessionId }, data: { status: 'completed' } });

  const mechanic = await db.user.findUniqueOrThrow({ where: { email: 'a1@demo.test' } });
  await db.$executeRaw`UPDATE session_assignments SET status = 'offered', mechanic_id = ${mechanic.id}::uuid,
    offer_expires_at = now() - interval '1 minute' WHERE id = ${overdue.assignmentId}::uuid`;

  await db.sessionAssignment.update({ where: { id: drifted.assignmentId }, data: { status: 'accepted' } });
  await db.helpSession.update({ where: { id: drifted.sessionId }, data: { status: 'in_progress' } });

  const customer = await db.user.findUniqueOrThrow({ where: { email: 'customer1@demo.test' } });
  const lonely = await db.helpSession.create({
    data: {
      ...{
        customerName: 'X Y',
        vehicleYear: 2010,
        vehicleMake: 'VW',
        vehicleModel: 'Golf',
        concern: 'noise noise',
      },
      customerId: customer.id,
      type: 'chat',
      plan: 'paid',
      status: 'waiting',
    },
  });
  await db.$executeRaw`INSERT INTO assignment_events (assignment_id, session_id, type, to_status, actor_kind)
    VALUES (${randomUUID()}::uuid, ${lonely.id}::uuid, 'create', 'queued', 'customer')`;
  await db.$executeRaw`INSERT INTO assignment_events (assignment_id, session_id, type, from_status, to_status, actor_kind)
    VALUES (${jumpy.assignmentId}::uuid, ${jumpy.sessionId}::uuid, 'complete', 'accepted', 'queued', 'system')`;

  const findings = await audit(db);
  const kinds = (id: string) =>
    findings
      .filter((f) => f.assignmentId === id || f.sessionId === id)
      .map((f) => f.kind)
      .sort();
  expect(kinds(mismatched.assignmentId)).toEqual(['status_mismatch']);
  expect(kinds(overdue.assignmentId)).toEqual(['latest_event_mismatch', 'overdue_offer']);
  expect(kinds(drifted.assignmentId)).toEqual(['latest_event_mismatch']);
  expect(kinds(lonely.id)).toEqual(['orphaned_event', 'session_without_assignment']);
  expect(kinds(jumpy.assignmentId)).toEqual(['event_out_of_sequence']);

  const cli = await runCli('--json');
  expect(cli.code).toBe(1);
  expect(JSON.parse(cli.stdout).findings).toHaveLength(findings.length);

  expect(await fixFindings(db, findings, new Date())).toBe(2);
  const after = await audit(db);
  expect(after.some((f) => f.kind === 'status_mismatch' || f.kind === 'overdue_offer')).toBe(false);
  expect((await db.helpSession.findUniqueOrThrow({ where: { id: mismatched.sessionId } })).status).toBe(
    'waiting',
  );
  expect((await db.sessionAssignment.findUniqueOrThrow({ where: { id: overdue.assignmentId } })).status).toBe(
    'expired',
  );
  const fixEvents = await db.assignmentEvent.findMany({
    where: { requestId: 'audit-fix' },
    orderBy: { id: 'asc' },
  });
  expect(fixEvents.map((e) => [e.type, e.reason?.startsWith('audit: ')])).toEqual(
    expect.arrayContaining([
      ['audit_fix', true],
      ['expire', true],
    ]),
  );
});

it('knows the delivery facts: receipts past the retention (fixed by deleting them), a request no connection was handed, a mechanic Available with no connection', async () => {
  const db = database.db;
  const customer = await db.user.findUniqueOrThrow({ where: { email: 'customer1@demo.test' } });
  const mechanic = await db.user.findUniqueOrThrow({ where: { email: 'b2@demo.test' } });
  const [unseen, seen] = await db.sessionAssignment.findMany({
    where: { status: 'queued', session: { customerId: customer.id } },
    take: 2,
  });
  if (!unseen || !seen) throw new Error('the earlier tests leave queued requests');
  // Both have waited 10 minutes; only `seen` reached a mechanic's connection since it was queued.
  await db.$executeRaw`UPDATE session_assignments SET queued_at = now() - interval '10 minutes'
    WHERE id IN (${unseen.id}::uuid, ${seen.id}::uuid)`;
  await db.$executeRaw`INSERT INTO delivery_receipt_rows (session_id, mechanic_id, channel, position, version, process, at)
    VALUES (${seen.sessionId}::uuid, ${mechanic.id}::uuid, 'delivered', 1, 0, 'web-1', now() - interval '9 minutes'),
           (${seen.sessionId}::uuid, ${mechanic.id}::uuid, 'delivered', 1, 0, 'web-1', now() - interval '20 days'),
           (${seen.sessionId}::uuid, ${mechanic.id}::uuid, 'shown', NULL, 0, NULL, now() - interval '30 days')`;
  await db.mechanic.update({
    where: { userId: mechanic.id },
    data: { availability: 'available', lastSeenAt: new Date(Date.now() - 20 * 60_000) },
  });

  const findings = await audit(db, { retentionDays: 14 });
  const mine = findings.filter((f) =>
    ['stale_receipts', 'visible_to_nobody', 'available_without_connection'].includes(f.kind),
  );
  expect(mine.map((f) => [f.kind, f.sessionId, f.fixable])).toEqual([
    ['available_without_connection', null, false],
    ['stale_receipts', null, true],
    ['visible_to_nobody', unseen.sessionId, false],
  ]);
  expect(mine[0]?.detail).toContain('b2@demo.test');
  expect(mine[1]?.detail).toMatch(/^2 delivery receipts are older than the 14-day retention/);
  expect(mine[2]?.detail).toContain(`pnpm explain ${unseen.sessionId}`);
  // A longer retention keeps them; receipts switched off (0) are not checked at all.
  expect((await audit(db, { retentionDays: 60 })).some((f) => f.kind === 'stale_receipts')).toBe(false);
  expect((await audit(db, { retentionDays: 0 })).some((f) => f.kind === 'visible_to_nobody')).toBe(false);

  const cli = await runCli('--fix');
  expect(cli.stdout).not.toContain('stale_receipts');
  const left = await db.deliveryReceipt.count({ where: { sessionId: seen.sessionId } });
  expect(left).toBe(1);
  expect(cli.stdout).toContain('visible_to_nobody');
  expect(cli.stdout).toContain('available_without_connection');
});
