// Push figures for BENCHMARKS.md. Skipped unless PUSH_BENCH=1 (it takes about a minute):
//   PUSH_BENCH=1 npx -y pnpm@10 --filter @dispatch/api exec vitest run test/push-bench.test.ts
import { createECDH, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { freePort } from '@dispatch/db/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import webpush from 'web-push';
import { fromStoredEvent } from '../src/alerts/from-stored-event.ts';
import { PushSender } from '../src/alerts/sender.ts';
import { vapidKeys } from '../src/alerts/vapid.ts';
import { createTestApi, idempotencyKey, intake, log, type TestApi } from './harness.ts';
import { type LocalPushService, startLocalPushService } from './support/push-service.ts';

const enabled = process.env.PUSH_BENCH === '1';
const DEVICES = Number(process.env.PUSH_BENCH_DEVICES ?? 1000);
const MECHANICS = ['a1@demo.test', 'a2@demo.test', 'b1@demo.test', 'b2@demo.test', 'virtual@demo.test'];

let api: TestApi;
let pushService: LocalPushService;
let nullService: Server;
let nullUrl: string;
let accepted = 0;
let sender: PushSender;
const results: Record<string, unknown> = {};

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

beforeAll(async () => {
  if (!enabled) return;
  [api, pushService] = await Promise.all([createTestApi(), startLocalPushService()]);
  // These tests let a few mechanics take many requests; capacity has its own tests.
  await api.database.db.mechanic.updateMany({ data: { virtualCapacity: 1000 } });
  nullService = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      accepted += 1;
      res.writeHead(201).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => nullService.listen(port, '127.0.0.1', resolve));
  nullUrl = `http://127.0.0.1:${port}`;
  for (const email of MECHANICS)
    await (await api.as(email)).mechanic.setAvailability({ availability: 'available' });
  sender = new PushSender({
    db: api.database.db,
    log,
    registry: new Registry(),
    settings: { dispatchMode: 'broadcast', offerTimeoutMs: 30_000, queueTimeoutMs: 900_000 },
  });
  api.hub.onEvents((events) => {
    const started = performance.now();
    sender.handle(events.map(fromStoredEvent).filter((e) => e !== null));
    handleMicros.push((performance.now() - started) * 1000);
  });
}, 120_000);
afterAll(async () => {
  if (!enabled) return;
  await sender.stop();
  nullService.close();
  await pushService.close();
  await api.close();
  console.log(`PUSH_BENCH ${JSON.stringify(results, null, 2)}`);
});

const handleMicros: number[] = [];

async function book() {
  return (await api.as('customer1@demo.test')).session.create({
    intake: intake({ sessionType: 'video' }),
    idempotencyKey: idempotencyKey(),
    allowAnotherOpen: true,
  });
}

async function commitTime(assignmentId: string): Promise<number> {
  const row = await api.database.db.assignmentEvent.findFirstOrThrow({
    where: { assignmentId },
    orderBy: { id: 'desc' },
  });
  return row.createdAt.getTime();
}

it.runIf(enabled)(
  'commit → push accepted by the local push service (web-push-testing), one device',
  async () => {
    const { publicKey } = await vapidKeys(api.database.db);
    const sub = await pushService.subscribe(publicKey);
    await (await api.as('a1@demo.test')).push.subscribe({ endpoint: sub.endpoint, keys: sub.keys });
    const latencies: number[] = [];
    for (let i = 0; i < 30; i += 1) {
      const before = pushService.captured.length;
      const session = await book();
      const committed = await commitTime(session.assignmentId);
      await expect
        .poll(() => pushService.captured.length, { timeout: 5_000, interval: 2 })
        .toBeGreaterThan(before);
      await sender.idle();
      const at = pushService.captured.at(-1)?.at ?? Number.NaN;
      latencies.push(at - committed);
      // Take it so the queue stays short.
      await (await api.as('a2@demo.test')).assignment.accept({ assignmentId: session.assignmentId });
      await sender.idle();
    }
    results.singleDevice = {
      samples: latencies.length,
      p50ms: pct(latencies, 50),
      p95ms: pct(latencies, 95),
      maxms: Math.max(...latencies),
    };
    await api.database.db.pushSubscription.deleteMany({});
  },
);

it.runIf(enabled)(
  `fan-out to ${DEVICES} subscribed devices`,
  async () => {
    // Per-device encryption (ECDH + HKDF + AES-128-GCM) and the VAPID JWT, without any network.
    const keys = await vapidKeys(api.database.db);
    const devices = Array.from({ length: DEVICES }, (_, i) => {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      return {
        endpoint: `${nullUrl}/push/${i}`,
        keys: {
          p256dh: ecdh.getPublicKey().toString('base64url'),
          auth: randomBytes(16).toString('base64url'),
        },
      };
    });
    const payload = JSON.stringify({
      kind: 'alert',
      tag: 'request-x',
      title: 'New request — Video call: 2014 Honda Civic',
      body: 'x'.repeat(140),
    });
    const encryptStarted = performance.now();
    for (const device of devices)
      webpush.generateRequestDetails(device, payload, {
        TTL: 900,
        urgency: 'high',
        topic: 'x',
        contentEncoding: 'aes128gcm',
      });
    const encryptMs = performance.now() - encryptStarted;
    // The VAPID JWT (one ES256 signature): the sender signs once per push service origin and
    // reuses it for 11 h, instead of once per push.
    const signStarted = performance.now();
    for (let i = 0; i < 200; i += 1)
      webpush.getVapidHeaders(nullUrl, keys.subject, keys.publicKey, keys.privateKey, 'aes128gcm');
    const signMs = (performance.now() - signStarted) / 200;

    await api.database.db.pushSubscription.createMany({
      data: devices.map((device, i) => ({
        userId: userIds[i % userIds.length] as string,
        endpoint: device.endpoint,
        p256dh: device.keys.p256dh,
        auth: device.keys.auth,
        label: 'bench',
      })),
    });
    const rounds: { ms: number; perSecond: number }[] = [];
    for (let round = 0; round < 3; round += 1) {
      accepted = 0;
      const session = await book();
      const committed = await commitTime(session.assignmentId);
      await expect.poll(() => accepted, { timeout: 60_000, interval: 5 }).toBe(DEVICES);
      const ms = Date.now() - committed;
      rounds.push({ ms, perSecond: Math.round((DEVICES / ms) * 1000) });
      await (await api.as('a2@demo.test')).assignment.accept({ assignmentId: session.assignmentId });
      await sender.idle();
    }
    results.fanOut = {
      devices: DEVICES,
      encryptMsPerDevice: Number((encryptMs / DEVICES).toFixed(3)),
      vapidSignMsPerSignature: Number(signMs.toFixed(3)),
      rounds,
      hubListenerMicros: {
        p50: Math.round(pct(handleMicros, 50)),
        max: Math.round(Math.max(...handleMicros)),
      },
    };
  },
  180_000,
);

const userIds: string[] = [];

beforeAll(async () => {
  if (!enabled) return;
  for (const email of MECHANICS) userIds.push((await api.user(email)).id);
});
