import type { TestDatabase } from '@dispatch/db/testing';
import type { QueueEvent } from '@dispatch/domain';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.ts';
import { client, freshDatabase, intake, logIn, start, waitFor } from './harness.ts';

let database: TestDatabase;
let servers: RunningServer[] = [];
beforeAll(async () => {
  database = await freshDatabase();
  servers = await Promise.all([
    start(database, { PROCESS_NAME: 'web-1' }),
    start(database, { PROCESS_NAME: 'web-2' }),
  ]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await database?.drop();
});

interface Row {
  channel: string;
  process: string | null;
  position: string | null;
  version: number | null;
}

it('one mechanic with a dashboard on each of two processes: both deliveries are receipted by process, and both connections are counted', async () => {
  const [one, two] = servers as [RunningServer, RunningServer];
  const cookie = (await logIn(one, 'virtual@demo.test')).cookie;
  const mechanicId = (await database.db.user.findUniqueOrThrow({ where: { email: 'virtual@demo.test' } })).id;
  const dashboards = [client(one, cookie), client(two, cookie)];
  const received: QueueEvent[][] = [[], []];
  const subs = await Promise.all(
    dashboards.map(async (dashboard, i) => {
      const { position } = await dashboard.trpc.queue.list.query();
      return dashboard.trpc.queue.onChange.subscribe(
        { lastEventId: position },
        { onData: (e) => received[i]?.push(e.data) },
      );
    }),
  );
  // Each process counts its own open connection for the mechanic.
  let connections: { process: string; connections: number }[] = [];
  for (let i = 0; i < 50 && connections.length < 2; i++) {
    connections = await database.db.$queryRaw`
      SELECT process, connections FROM mechanic_connections WHERE mechanic_id = ${mechanicId}::uuid ORDER BY process`;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(connections).toEqual([
    { process: 'web-1', connections: 1 },
    { process: 'web-2', connections: 1 },
  ]);

  const customer = client(two, (await logIn(two, 'customer1@demo.test')).cookie);
  const booked = await customer.trpc.session.create.mutate({
    intake,
    idempotencyKey: `receipts-${Date.now()}`,
    allowAnotherOpen: true,
  });
  await waitFor(() => received.every((events) => events.some((e) => e.kind === 'upsert')));

  // Receipts are written in batches about once a second, off the request path.
  let rows: Row[] = [];
  for (let i = 0; i < 40 && rows.length < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    rows = await database.db.$queryRaw<Row[]>`
      SELECT channel, process, position::text, version FROM delivery_receipts
       WHERE session_id = ${booked.sessionId}::uuid AND mechanic_id = ${mechanicId}::uuid ORDER BY process`;
  }
  expect(rows.map((r) => [r.channel, r.process, r.version])).toEqual([
    ['delivered', 'web-1', 0],
    ['delivered', 'web-2', 0],
  ]);
  expect(rows[0]?.position).toBe(rows[1]?.position);

  for (const sub of subs) sub.unsubscribe();
  dashboards[0]?.close();
  for (let i = 0; i < 50 && connections.length > 1; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    connections = await database.db.$queryRaw`
      SELECT process, connections FROM mechanic_connections WHERE mechanic_id = ${mechanicId}::uuid ORDER BY process`;
  }
  expect(connections).toEqual([{ process: 'web-2', connections: 1 }]);
  dashboards[1]?.close();
  customer.close();
});
