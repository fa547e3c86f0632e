import { fromStoredEvent, startPushSender } from '@dispatch/api/alerts';
import type { TestDatabase } from '@dispatch/db/testing';
import { CURRENT_WAIVER } from '@dispatch/domain';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type LocalPushService,
  startLocalPushService,
} from '../../../packages/api/test/support/push-service.ts';
import type { RunningServer } from '../src/server.ts';
import { freshDatabase, logIn, start } from './harness.ts';

let database: TestDatabase;
let servers: RunningServer[] = [];
let senders: ReturnType<typeof startPushSender>[] = [];
let pushService: LocalPushService;

beforeAll(async () => {
  [database, pushService] = await Promise.all([freshDatabase(), startLocalPushService()]);
  // Two server processes on one database, each with the push sender wired the way the lead will
  // wire it into startServer: startPushSender(services, hub, fromStoredEvent).
  servers = await Promise.all([start(database), start(database)]);
  senders = servers.map((server) => startPushSender(server.services, server.services.hub, fromStoredEvent));
});
afterAll(async () => {
  await Promise.all(senders.map((s) => s.stop()));
  await Promise.all(servers.map((s) => s.close()));
  await pushService?.close();
  await database?.drop();
});

async function call<T>(server: RunningServer, cookie: string, path: string, input?: unknown): Promise<T> {
  const res =
    input === undefined
      ? await fetch(`${server.url}/trpc/${path}`, { headers: { cookie } })
      : await fetch(`${server.url}/trpc/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify(input),
        });
  const body = (await res.json()) as { result?: { data: T }; error?: { message: string } };
  if (!body.result) throw new Error(`${path}: ${res.status} ${body.error?.message ?? ''}`);
  return body.result.data;
}

it('two server processes on one database: each subscribed device gets each push exactly once, over the real HTTP API', async () => {
  const [one, two] = servers as [RunningServer, RunningServer];
  const { cookie: mechanic } = await logIn(one, 'virtual@demo.test');
  // The public key is the same whichever process answers: it lives in the database.
  const [keyOne, keyTwo] = await Promise.all([
    call<{ publicKey: string }>(one, mechanic, 'push.publicKey'),
    call<{ publicKey: string }>(two, mechanic, 'push.publicKey'),
  ]);
  expect(keyOne.publicKey).toBe(keyTwo.publicKey);
  const devices = [
    await pushService.subscribe(keyOne.publicKey),
    await pushService.subscribe(keyOne.publicKey),
  ];
  for (const [i, device] of devices.entries())
    await call(i === 0 ? one : two, mechanic, 'push.subscribe', {
      endpoint: device.endpoint,
      keys: device.keys,
    });

  const { cookie: customer } = await logIn(two, 'customer1@demo.test');
  const created = await call<{ sessionId: string; assignmentId: string }>(two, customer, 'session.create', {
    intake: {
      customerName: 'Ana Ortiz',
      vehicleYear: 2014,
      vehicleMake: 'Honda',
      vehicleModel: 'Civic',
      concern: 'Grinding noise when braking at low speed',
      sessionType: 'chat',
      plan: 'free',
      urgent: true,
      workshopId: null,
      callbackPhone: '+44 20 7946 0958',
    },
    idempotencyKey: 'push-two-processes-1',
  });
  await call(two, customer, 'waiver.sign', {
    sessionId: created.sessionId,
    signerName: 'Ana Ortiz',
    consent: true,
    waiverVersion: CURRENT_WAIVER.version,
  });

  for (const device of devices)
    await expect
      .poll(async () => (await pushService.messages(device.clientHash)).length, { timeout: 5_000 })
      .toBe(1);
  // Both processes heard the event; give the slower one time to (not) send a duplicate.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await Promise.all(senders.map((s) => s.sender.idle()));
  for (const device of devices) {
    const messages = (await pushService.messages(device.clientHash)).map(
      (m) => JSON.parse(m) as { kind: string; title: string },
    );
    expect(messages).toEqual([
      expect.objectContaining({ kind: 'alert', title: 'New request — Urgent chat: 2014 Honda Civic' }),
    ]);
  }
  const claims = await database.db.pushDelivery.findMany({ where: { assignmentId: created.assignmentId } });
  expect(claims).toHaveLength(2);
  expect(new Set(claims.map((c) => c.status))).toEqual(new Set(['sent']));
});
