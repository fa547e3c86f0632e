import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fromStoredEvent } from '../src/alerts/from-stored-event.ts';
import { startRoomAlerts } from '../src/alerts/room-messages.ts';
import { startPushSender } from '../src/alerts/sender.ts';
import { createTestApi, idempotencyKey, intake, type TestApi } from './harness.ts';
import {
  type LocalPushService,
  type PushServiceSubscription,
  startLocalPushService,
} from './support/push-service.ts';

let api: TestApi;
let pushService: LocalPushService;
let stops: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  [api, pushService] = await Promise.all([createTestApi(), startLocalPushService()]);
  // Two processes' worth: each sees every message; the claim lets each device get it once.
  for (const name of ['one', 'two']) {
    const push = startPushSender(api.services, api.hub, fromStoredEvent, { instanceId: name });
    const alerts = startRoomAlerts({
      db: api.services.db,
      log: api.services.log,
      feed: api.hub.rooms,
      sender: push.sender,
      delayMs: 300,
    });
    stops.push(
      () => alerts.stop(),
      () => push.stop(),
    );
  }
});
afterAll(async () => {
  for (const stop of stops) await stop();
  stops = [];
  await pushService?.close();
  await api?.close();
});

async function device(email: string): Promise<PushServiceSubscription> {
  const { publicKey } = await (await api.as(null)).push.publicKey();
  const subscription = await pushService.subscribe(publicKey);
  await (await api.as(email)).push.subscribe({ endpoint: subscription.endpoint, keys: subscription.keys });
  return subscription;
}

/** The room pushes a device got (offers, retractions and "accepted" notices are other tests'). */
const received = async (sub: PushServiceSubscription) =>
  (await pushService.messages(sub.clientHash))
    .map((text) => JSON.parse(text) as Record<string, unknown>)
    .filter((push) => String(push.tag).startsWith('room-'));

it('a message the other side has not read is pushed to their devices once; one they read in time is not', async () => {
  const mechanicDevice = await device('b2@demo.test');
  const customerDevice = await device('customer2@demo.test');
  const booked = await (await api.as('customer2@demo.test')).session.create({
    intake: intake({ sessionType: 'diagnostic' }),
    idempotencyKey: idempotencyKey(),
    allowAnotherOpen: true,
  });
  const { sessionId } = booked;
  await (await api.as('b2@demo.test')).assignment.accept({ assignmentId: booked.assignmentId });

  const customer = await api.as('customer2@demo.test');
  await customer.room.send({ sessionId, clientKey: randomUUID(), body: 'The engine light is on' });
  // The customer's own message never alerts the customer.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const atMechanic = await received(mechanicDevice);
  expect(atMechanic).toEqual([
    {
      kind: 'notice',
      tag: `room-${sessionId}`,
      title: 'Message from Marcus Chen',
      body: 'The engine light is on',
      url: `/mechanic/?room=${sessionId}`,
    },
  ]);

  // The customer has the room open and in view: they mark it read at once, and get no push.
  const mechanic = await api.as('b2@demo.test');
  const reply = await mechanic.room.send({ sessionId, clientKey: randomUUID(), body: 'Send me a photo' });
  await customer.room.mark({ sessionId, read: reply.position });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(await received(customerDevice)).toEqual([]);
  const claims = await api.database.db.pushDelivery.findMany({ where: { kind: 'message' } });
  expect(claims.map((c) => c.eventPosition)).toEqual([expect.stringMatching(/^room:/)]);
});
