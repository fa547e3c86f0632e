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
