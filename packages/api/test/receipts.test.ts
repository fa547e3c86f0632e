import type { QueueEvent } from '@dispatch/domain';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromStoredEvent } from '../src/alerts/from-stored-event.ts';
import { startPushSender } from '../src/alerts/sender.ts';
import type { Context, Services } from '../src/context.ts';
import { EventHub } from '../src/log/hub.ts';
import { ReceiptWriter } from '../src/observability/receipts.ts';
import { appRouter } from '../src/root.ts';
import { createCallerFactory } from '../src/trpc.ts';
import { collect, createTestApi, idempotencyKey, intake, log, type TestApi } from './harness.ts';
import { startLocalPushService } from './support/push-service.ts';

let api: TestApi;
let pool: pg.Pool;
let secondHub: EventHub;
const createCaller = createCallerFactory(appRouter);

beforeAll(async () => {
  api = await createTestApi();
  pool = new pg.Pool({ connectionString: api.database.url, max: 2 });
  // A second process's event hub on the same database: its own LISTEN connection and reader.
  secondHub = new EventHub({ connectionString: api.database.url, log, pollIntervalMs: 200 });
  await secondHub.start();
});
afterAll(async () => {
  await secondHub?.stop();
  await pool?.end();
  await api?.close();
});

function writer(process: string, options: Partial<ConstructorParameters<typeof ReceiptWriter>[0]> = {}) {
  return new ReceiptWriter({
    pool,
    process,
    log,
    registry: new Registry(),
    retentionDays: 14,
    flushIntervalMs: 60_000,
    ...options,
  });
}

/** A caller as `email` on one "process": its own hub and receipt writer. */
async function callerOn(email: string, services: Partial<Services>) {
  const ctx: Context = {
    ...api.services,
    ...services,
    user: await api.user(email),
    meta: { requestId: `test-${idempotencyKey()}`, ip: '127.0.0.1', userAgent: 'vitest', secure: false },
    setCookie: () => {},
    transport: null,
  };
  return createCaller(ctx);
}

async function book(overrides: Parameters<typeof intake>[0] = {}) {
  const customer = await api.as('customer1@demo.test');
  return customer.session.create({
    intake: intake(overrides),
    idempotencyKey: idempotencyKey(),
    allowAnotherOpen: true,
  });
}

interface ReceiptRow {
  mechanic_id: string;
  channel: string;
  position: string | null;
  version: number | null;
  process: string | null;
  at: Date;
}

async function receiptsOf(sessionId: string): Promise<ReceiptRow[]> {
  const { rows } = await pool.query<ReceiptRow>(
    `SELECT mechanic_id, channel, position::text, version, process, at FROM delivery_receipts
      WHERE session_id = $1 ORDER BY id`,
    [sessionId],
  );
  return rows;
}

const asTracked = (value: unknown) => value as [string, QueueEvent];

describe('delivery receipts', () => {
  it('records each connection’s delivery by process when a card goes out on two processes', async () => {
    const one = writer('web-1');
    const two = writer('web-2');
    const a1 = await api.user('a1@demo.test');
    const onOne = await callerOn('a1@demo.test', { receipts: one });
    const onTwo = await callerOn('a1@demo.test', { hub: secondHub, receipts: two });
    const { position } = await onOne.queue.list();
    const streams = [
      await onOne.queue.onChange({ lastEventId: position }),
      await onTwo.queue.onChange({ lastEventId: position }),
    ];
    const booked = await book();
    const got = await Promise.all(
      streams.map((s) => collect(s, (items) => items.some((i) => asTracked(i)[1].kind === 'upsert'), 5000)),
    );
    const [cursor] = asTracked(got[0]?.find((i) => asTracked(i)[1].kind === 'upsert'));
    await Promise.all([one.flush(), two.flush()]);

    const rows = (await receiptsOf(booked.sessionId)).filter((r) => r.channel === 'delivered');
    expect(rows.map((r) => r.process).sort()).toEqual(['web-1', 'web-2']);
    for (const row of rows) {
      expect(row).toMatchObject({ mechanic_id: a1.id, position: cursor, version: 0 });
    }
    // Nothing about the customer is in a receipt: its columns are ids, position, version, process, time.
    const { rows: columns } = await pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'delivery_receipts' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => c.column_name)).toEqual([
      'id',
      'session_id',
      'mechanic_id',
      'channel',
      'position',
      'version',
      'process',
      'at',
    ]);
  });

  it('writes one row per delivered event and process, whatever the number of mechanics, read back as one receipt each', async () => {
    const w = writer('web-3', { batchRows: 100_000 });
    const booked = await book();
    const mechanics = await pool.query<{ user_id: string }>('SELECT user_id FROM mechanics ORDER BY user_id');
    const ids = mechanics.rows.map((m) => m.user_id);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    for (const id of ids) w.delivered(booked.sessionId, 41n, 7, id);
    // A second tab, a replay: the same card version to the same mechanic on this process is no new delivery.
    w.delivered(booked.sessionId, 41n, 7, ids[0] ?? '');
    // The next version is.
    w.delivered(booked.sessionId, 42n, 8, ids[0] ?? '');
    await w.flush();

    const { rows: batches } = await pool.query<{ position: string; n: number }>(
      `SELECT position::text, cardinality(mechanic_ids) AS n FROM delivery_batches
        WHERE session_id = $1 AND process = 'web-3' ORDER BY position`,
      [booked.sessionId],
    );
    expect(batches).toEqual([
      { position: '41', n: ids.length },
      { position: '42', n: 1 },
    ]);
    const rows = (await receiptsOf(booked.sessionId)).filter((r) => r.process === 'web-3');
    expect(rows).toHaveLength(ids.length + 1);
    expect(new Set(rows.filter((r) => r.version === 7).map((r) => r.mechanic_id))).toEqual(new Set(ids));
    expect(rows.every((r) => r.channel === 'delivered')).toBe(true);

    // Pruning removes batches past the retention like single receipts.
    await pool.query(`UPDATE delivery_batches SET at = now() - interval '30 days' WHERE session_id = $1`, [
      booked.sessionId,
    ]);
    expect(await w.prune()).toBeGreaterThanOrEqual(ids.length + 1);
    expect((await receiptsOf(booked.sessionId)).filter((r) => r.process === 'web-3')).toEqual([]);
  });

  it('records a snapshot delivery once per card version, however often the list is re-read', async () => {
    const w = writer('web-1');
    const b1 = await callerOn('b1@demo.test', { receipts: w });
    const booked = await book();
    await b1.queue.list();
    await b1.queue.list();
    await w.flush();
    const rows = await receiptsOf(booked.sessionId);
    const b1Id = (await api.user('b1@demo.test')).id;
    expect(rows.filter((r) => r.channel === 'delivered' && r.mechanic_id === b1Id)).toHaveLength(1);
  });

  it('takes what the page reports (on screen, in-page, notification, sound) with the server’s clock, and ignores what the mechanic could never see', async () => {
    const w = writer('web-1');
    const virtual = await callerOn('virtual@demo.test', { receipts: w });
    const video = await book({ sessionType: 'video' });
    const workshop = await api.database.db.workshop.findFirstOrThrow();
    const visit = await book({ sessionType: 'in_person', workshopId: workshop.id });
    const before = api.clock.now.getTime();
    const result = await virtual.receipts.report({
      items: [
        { sessionId: video.sessionId, version: 0, channel: 'shown', ageMs: 1500 },
        { sessionId: video.sessionId, version: 0, channel: 'sound', ageMs: 0 },
        { sessionId: visit.sessionId, version: 0, channel: 'shown', ageMs: 0 },
        { sessionId: '00000000-0000-4000-8000-000000000000', channel: 'shown', ageMs: 0 },
      ],
    });
    expect(result).toEqual({ recorded: 2 });
    await w.flush();
    const rows = await receiptsOf(video.sessionId);
    expect(rows.map((r) => r.channel)).toEqual(['shown', 'sound']);
    expect(rows[0]?.at.getTime()).toBe(before - 1500);
    expect(rows[0]?.process).toBeNull();
    expect(await receiptsOf(visit.sessionId)).toEqual([]);
  });

  it('refuses reports that are too long, too old or name a channel only the server records', async () => {
    const virtual = await api.as('virtual@demo.test');
    const { sessionId } = await book();
    const item = { sessionId, channel: 'shown' as const, ageMs: 0 };
    await expect(virtual.receipts.report({ items: Array(101).fill(item) })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(virtual.receipts.report({ items: [{ ...item, ageMs: 11 * 60_000 }] })).rejects.toMatchObject(
      {
        code: 'BAD_REQUEST',
      },
    );
    await expect(
      virtual.receipts.report({ items: [{ ...item, channel: 'delivered' as 'shown' }] }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('records a push alert sent, by the process that sent it', async () => {
    const pushService = await startLocalPushService();
    const w = writer('push-1');
    const sender = startPushSender(api.services, api.hub, fromStoredEvent, {
      instanceId: 'push-1',
      registry: new Registry(),
      receipts: w,
      now: () => new Date(),
    });
    try {
      await api.database.db.pushSubscription.deleteMany({});
      const a1 = await api.as('a1@demo.test');
      await a1.mechanic.setAvailability({ availability: 'available' });
      const { publicKey } = await a1.push.publicKey();
      const device = await pushService.subscribe(publicKey);
      await a1.push.subscribe({ endpoint: device.endpoint, keys: device.keys });
      const booked = await book();
      // The hub hands events over asynchronously: wait (bounded) until the push went out.
      let sent: Awaited<ReturnType<typeof receiptsOf>> = [];
      for (let waited = 0; waited < 5_000 && sent.length === 0; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        await sender.sender.idle();
        await w.flush();
        sent = (await receiptsOf(booked.sessionId)).filter((r) => r.channel === 'push_sent');
      }
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({
        mechanic_id: (await api.user('a1@demo.test')).id,
        process: 'push-1',
        version: 0,
      });
      expect(sent[0]?.position).not.toBeNull();
      // This device may also have been told about an earlier test's request; this one's alert is there.
      const messages = (await pushService.messages(device.clientHash)).map(
        (text) => JSON.parse(text) as { sessionId?: string },
      );
      const message = messages.find((m) => m.sessionId === booked.sessionId);
      // The service worker names the session and version in its own receipts (push shown, clicked).
      expect(message).toMatchObject({ kind: 'alert', sessionId: booked.sessionId, version: 0 });
    } finally {
      await sender.stop();
      await pushService.close();
    }
  });

  it('writes a batch as one INSERT, drops (and counts) what a full buffer cannot take, and never throws', async () => {
    const statements: string[] = [];
    const counting = {
      query: (sql: string, params?: unknown[]) => {
        statements.push(sql.trim().split(/\s+/)[0] ?? '');
        return pool.query(sql, params);
      },
    };
    const registry = new Registry();
    const w = new ReceiptWriter({
      pool: counting,
      process: 'p',
      log,
      registry,
      retentionDays: 14,
      maxBuffered: 50,
      batchRows: 1000,
    });
    const { sessionId } = await book();
    const mechanicId = (await api.user('a1@demo.test')).id;
    for (let i = 0; i < 60; i++) {
      w.record({
        sessionId,
        mechanicId,
        channel: 'shown',
        position: null,
        version: i,
        process: null,
        at: new Date(),
      });
    }
    await w.flush();
    expect(statements).toEqual(['INSERT']);
    expect((await receiptsOf(sessionId)).length).toBe(50);
    const dropped = await registry.getSingleMetricAsString('dispatch_receipts_dropped_total');
    expect(dropped).toContain('why="buffer_full"} 10');

    const broken = new ReceiptWriter({
      pool: { query: () => Promise.reject(new Error('database away')) },
      process: 'p',
      log,
      registry,
      retentionDays: 14,
    });
    broken.record({
      sessionId,
      mechanicId,
      channel: 'shown',
      position: null,
      version: 0,
      process: null,
      at: new Date(),
    });
    await expect(broken.flush()).resolves.toBeUndefined();
    expect(await registry.getSingleMetricAsString('dispatch_receipts_dropped_total')).toContain(
      'why="write_failed"} 1',
    );
  });

  it('keeps receipts for the retention only, and records none with a retention of 0', async () => {
    const { sessionId } = await book();
    const mechanicId = (await api.user('a1@demo.test')).id;
    const w = writer('p', { retentionDays: 3 });
    const day = 86_400_000;
    for (const age of [1, 2, 4, 30]) {
      w.record({
        sessionId,
        mechanicId,
        channel: 'shown',
        position: null,
        version: age,
        process: null,
        at: new Date(Date.now() - age * day),
      });
    }
    await w.flush();
    expect(await w.prune()).toBeGreaterThanOrEqual(2);
    expect((await receiptsOf(sessionId)).map((r) => r.version).sort()).toEqual([1, 2]);

    const off = writer('p', { retentionDays: 0 });
    expect(off.enabled).toBe(false);
    off.record({
      sessionId,
      mechanicId,
      channel: 'shown',
      position: null,
      version: 99,
      process: null,
      at: new Date(),
    });
    await off.flush();
    expect((await receiptsOf(sessionId)).map((r) => r.version)).not.toContain(99);
  });
});
