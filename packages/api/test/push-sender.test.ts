import { createServer, type Server } from 'node:http';
import { freePort } from '@dispatch/db/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fromStoredEvent } from '../src/alerts/from-stored-event.ts';
import { requestTag, requestTopic } from '../src/alerts/plan.ts';
import { type PushSender, startPushSender } from '../src/alerts/sender.ts';
import { vapidKeys } from '../src/alerts/vapid.ts';
import { createTestApi, idempotencyKey, intake, log, type TestApi } from './harness.ts';
import {
  type LocalPushService,
  type PushServiceSubscription,
  startLocalPushService,
} from './support/push-service.ts';

let api: TestApi;
let pushService: LocalPushService;
let registry: Registry;
const senders: { sender: PushSender; stop(): Promise<void> }[] = [];

const MECHANIC = 'a1@demo.test';
const OTHER = 'a2@demo.test';
const CUSTOMER = 'customer1@demo.test';

beforeAll(async () => {
  [api, pushService] = await Promise.all([createTestApi(), startLocalPushService()]);
  // These tests let a few mechanics take many requests; capacity has its own tests.
  await api.database.db.mechanic.updateMany({ data: { virtualCapacity: 1000 } });
  registry = new Registry();
  // Two senders on one database, as two server processes would run them: each sees every event.
  for (const name of ['one', 'two']) {
    senders.push(
      startPushSender(api.services, api.hub, fromStoredEvent, {
        instanceId: name,
        registry,
        retryDelaysMs: [50, 100],
        now: () => new Date(),
      }),
    );
  }
});
afterAll(async () => {
  await Promise.all(senders.map((s) => s.stop()));
  await pushService?.close();
  await api?.close();
});

async function settled(): Promise<void> {
  // Everything committed so far is in the hub (which hands it to both senders as it appends),
  // then both senders have sent it, retries included.
  await api.hub.catchUp();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await Promise.all(senders.map((s) => s.sender.idle()));
}

async function device(email: string): Promise<PushServiceSubscription> {
  const { publicKey } = await (await api.as(null)).push.publicKey();
  const subscription = await pushService.subscribe(publicKey);
  await (await api.as(email)).push.subscribe({ endpoint: subscription.endpoint, keys: subscription.keys });
  return subscription;
}

async function book(overrides: Parameters<typeof intake>[0] = {}) {
  const customer = await api.as(CUSTOMER);
  return customer.session.create({
    intake: intake({ sessionType: 'video', ...overrides }),
    idempotencyKey: idempotencyKey(),
    allowAnotherOpen: true,
  });
}

async function messages(sub: PushServiceSubscription) {
  return (await pushService.messages(sub.clientHash)).map(
    (text) => JSON.parse(text) as Record<string, unknown>,
  );
}

beforeEach(async () => {
  // The last test's events may still be on their way out: a claim being written for a device
  // while it is deleted would fail its foreign key.
  await settled();
  await api.database.db.pushSubscription.deleteMany({});
  for (const email of [MECHANIC, OTHER])
    await (await api.as(email)).mechanic.setAvailability({ availability: 'available' });
});

describe('Web Push from the event log, against a local push service (web-push-testing)', () => {
  it('keeps one VAPID key pair in the database for every process', async () => {
    const first = await vapidKeys(api.database.db);
    const row = await api.database.db.pushKey.findUniqueOrThrow({ where: { id: 'vapid' } });
    expect(row.publicKey).toBe(first.publicKey);
    expect((await (await api.as(null)).push.publicKey()).publicKey).toBe(first.publicKey);
  });

  it('does not alert a mechanic at capacity for the type, and alerts them again once the session ends', async () => {
    const db = api.database.db;
    const busyUser = await db.user.findUniqueOrThrow({ where: { email: MECHANIC } });
    await db.mechanic.update({ where: { userId: busyUser.id }, data: { virtualCapacity: 1 } });
    try {
      const busy = await device(MECHANIC);
      const free = await device(OTHER);
      const live = await book();
      await (await api.as(MECHANIC)).assignment.accept({ assignmentId: live.assignmentId });
      await settled();
      const before = (await messages(busy)).length;

      const next = await book();
      await settled();
      const toBusy = (await messages(busy)).slice(before);
      expect(toBusy.filter((m) => m.assignmentId === next.assignmentId)).toEqual([]);
      expect((await messages(free)).filter((m) => m.assignmentId === next.assignmentId)).toMatchObject([
        { kind: 'alert' },
      ]);

      await (await api.as(MECHANIC)).assignment.complete({
        assignmentId: live.assignmentId,
        outcome: 'resolved',
        note: 'Sorted out together.',
      });
      const third = await book();
      await settled();
      expect((await messages(busy)).filter((m) => m.assignmentId === third.assignmentId)).toMatchObject([
        { kind: 'alert' },
      ]);
      for (const s of [next, third])
        await (await api.as(OTHER)).assignment.accept({ assignmentId: s.assignmentId });
      await (await api.as(OTHER)).assignment.complete({
        assignmentId: next.assignmentId,
        outcome: 'resolved',
        note: 'Sorted out together.',
      });
      await (await api.as(OTHER)).assignment.complete({
        assignmentId: third.assignmentId,
        outcome: 'resolved',
        note: 'Sorted out together.',
      });
    } finally {
      await db.mechanic.update({ where: { userId: busyUser.id }, data: { virtualCapacity: 1000 } });
    }
  });

  it('alerts an Available mechanic exactly once per device across two senders, with TTL, topic and urgency, then retracts it when taken', async () => {
    const phone = await device(MECHANIC);
    const laptop = await device(MECHANIC);
    const session = await book();
    await settled();

    for (const sub of [phone, laptop]) {
      const got = await messages(sub);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({
        kind: 'alert',
        tag: requestTag(session.assignmentId),
        assignmentId: session.assignmentId,
        title: 'New request — Video call: 2014 Honda Civic',
      });
    }
    const headers = pushService.captured.filter((c) => c.clientHash === phone.clientHash);
    expect(headers).toHaveLength(1);
    const ttl = Number(headers[0]?.ttl);
    // Broadcast: the request stays actionable until the queue timeout (15 min in the harness).
    expect(ttl).toBeGreaterThan(15 * 60 - 10);
    expect(ttl).toBeLessThanOrEqual(15 * 60);
    expect(headers[0]).toMatchObject({ topic: requestTopic(session.assignmentId), urgency: 'high' });
    expect(requestTopic(session.assignmentId)).toMatch(/^[A-Za-z0-9_-]{32}$/);

    // Exactly one claim per device and event, whichever sender won it.
    const claims = await api.database.db.pushDelivery.findMany({
      where: { assignmentId: session.assignmentId },
    });
    expect(claims).toHaveLength(2);
    expect(claims.every((c) => c.status === 'sent' && c.attempts === 1)).toBe(true);

    await (await api.as(OTHER)).assignment.accept({ assignmentId: session.assignmentId });
    await settled();
    for (const sub of [phone, laptop]) {
      const got = await messages(sub);
      expect(got).toHaveLength(2);
      expect(got[1]).toEqual({
        kind: 'retract',
        tag: requestTag(session.assignmentId),
        assignmentId: session.assignmentId,
        reason: 'taken',
      });
    }
    const retract = pushService.captured.filter((c) => c.clientHash === phone.clientHash)[1];
    expect(retract?.topic).toBe(requestTopic(session.assignmentId));
  });

  it('sends nothing to an Away mechanic, nor to a device showing a focused dashboard', async () => {
    const away = await device(MECHANIC);
    await (await api.as(MECHANIC)).mechanic.setAvailability({ availability: 'away' });
    const focused = await device(OTHER);
    const other = await api.as(OTHER);
    expect(await other.push.focus({ endpoint: focused.endpoint, focused: true })).toEqual({ known: true });
    const session = await book();
    await settled();
    expect(await messages(away)).toEqual([]);
    expect(await messages(focused)).toEqual([]);

    // Blurred again: the next request reaches that device.
    await other.push.focus({ endpoint: focused.endpoint, focused: false });
    const next = await book({ sessionType: 'chat' });
    await settled();
    expect((await messages(focused)).map((m) => m.assignmentId)).toEqual([next.assignmentId]);
    expect(session.assignmentId).not.toBe(next.assignmentId);
  });

  it('deletes a subscription the push service answers 410 for, and counts it', async () => {
    const gone = await device(MECHANIC);
    await pushService.expire(gone.clientHash);
    await book();
    await settled();
    expect(await api.database.db.pushSubscription.count({ where: { endpoint: gone.endpoint } })).toBe(0);
    const metric = await registry.getSingleMetric('dispatch_push_failed_total')?.get();
    expect(metric?.values.find((v) => v.labels.outcome === 'gone')?.value).toBeGreaterThanOrEqual(1);
  });

  it('retries other failures with back-off, records the attempts and counts the retries', async () => {
    const real = await pushService.subscribe((await vapidKeys(api.database.db)).publicKey);
    let calls = 0;
    const flaky: Server = createServer((req, res) => {
      req.resume();
      calls += 1;
      res.writeHead(calls === 1 ? 503 : 201).end();
    });
    const port = await freePort();
    await new Promise<void>((resolve) => flaky.listen(port, '127.0.0.1', resolve));
    try {
      await (await api.as(MECHANIC)).push.subscribe({
        endpoint: `http://127.0.0.1:${port}/push/flaky`,
        keys: real.keys,
      });
      const session = await book();
      await settled();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await Promise.all(senders.map((s) => s.sender.idle()));
      expect(calls).toBe(2);
      const [claim] = await api.database.db.pushDelivery.findMany({
        where: { assignmentId: session.assignmentId, subscription: { endpoint: { contains: 'flaky' } } },
      });
      expect(claim).toMatchObject({ status: 'sent', attempts: 2 });
      const metric = await registry.getSingleMetric('dispatch_push_failed_total')?.get();
      expect(metric?.values.find((v) => v.labels.outcome === 'retry')?.value).toBeGreaterThanOrEqual(1);
    } finally {
      flaky.close();
    }
  });

  it('tells the customer "Accepted by …" and "Completed" on their own device', async () => {
    const customerDevice = await device(CUSTOMER);
    const session = await book();
    await (await api.as(OTHER)).assignment.accept({ assignmentId: session.assignmentId });
    await (await api.as(OTHER)).assignment.complete({
      assignmentId: session.assignmentId,
      outcome: 'resolved',
      note: 'Sorted out together.',
    });
    await settled();
    const got = await messages(customerDevice);
    expect(got.map((m) => m.title)).toEqual([expect.stringMatching(/^Accepted by /), 'Completed']);
    expect(got[0]).toMatchObject({ kind: 'notice', tag: `session-${session.sessionId}` });
  });

  it('lists and removes a user’s own devices only', async () => {
    const sub = await device(MECHANIC);
    const mine = await (await api.as(MECHANIC)).push.devices();
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      label: 'Browser on unknown system',
      endpointTail: sub.endpoint.slice(-16),
    });
    expect(await (await api.as(OTHER)).push.removeDevice({ id: mine[0]?.id ?? '' })).toEqual({ removed: 0 });
    expect(await (await api.as(MECHANIC)).push.removeDevice({ id: mine[0]?.id ?? '' })).toEqual({
      removed: 1,
    });
    expect(log).toBeDefined();
  });
});
