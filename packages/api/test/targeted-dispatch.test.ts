import { NO_MECHANIC_AVAILABLE } from '@dispatch/domain';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { Dispatcher } from '../src/dispatch/dispatcher.ts';
import { createTestApi, idempotencyKey, intake, type TestApi } from './harness.ts';

let api: TestApi;
let dispatcher: Dispatcher;
const OFFER_MS = 30_000;

beforeAll(async () => {
  api = await createTestApi({
    dispatchMode: 'targeted',
    offerTimeoutMs: OFFER_MS,
    queueTimeoutMs: 10 * 60_000,
  });
  dispatcher = new Dispatcher(api.services);
});
afterAll(() => api?.close());

/** Only the given mechanics are available and online now. */
async function online(...emails: string[]) {
  const ids = await Promise.all(emails.map(async (email) => (await api.user(email)).id));
  await api.database.db.mechanic.updateMany({ data: { availability: 'offline', lastSeenAt: null } });
  await api.database.db.mechanic.updateMany({
    where: { userId: { in: ids } },
    data: { availability: 'available', lastSeenAt: api.clock.now },
  });
  return ids;
}

async function cancelOpen() {
  const open = await api.database.db.sessionAssignment.findMany({
    where: { status: { notIn: ['cancelled', 'completed'] } },
    select: { sessionId: true },
  });
  const admin = await api.as('admin@demo.test');
  for (const { sessionId } of open) await admin.session.cancel({ sessionId, reason: 'test reset' });
}

beforeEach(async () => {
  api.clock.now = new Date();
  await cancelOpen();
});

async function book() {
  const customer = await api.as('customer1@demo.test');
  return customer.session.create({
    intake: intake({ sessionType: 'in_person' }),
    idempotencyKey: idempotencyKey(),
    allowAnotherOpen: true,
  });
}

const assignment = (id: string) => api.database.db.sessionAssignment.findUniqueOrThrow({ where: { id } });

it('offers to one available mechanic, expires after the limit, then offers to the next', async () => {
  const [first, second] = await online('a1@demo.test', 'a2@demo.test');
  const booked = await book();
  await dispatcher.runOnce();
  const offered = await assignment(booked.assignmentId);
  expect(offered.status).toBe('offered');
  const firstPick = offered.mechanicId;
  expect([first, second]).toContain(firstPick);
  expect(offered.offerExpiresAt?.getTime()).toBe(api.clock.now.getTime() + OFFER_MS);

  const other = firstPick === first ? 'a2@demo.test' : 'a1@demo.test';
  const customer = await api.as('customer1@demo.test');
  expect((await customer.session.get({ sessionId: booked.sessionId })).dispatchMode).toBe('targeted');
  const otherQueue = await (await api.as(other)).queue.list();
  expect(otherQueue.items.map((c) => c.assignmentId)).not.toContain(booked.assignmentId);

  api.clock.now = new Date(api.clock.now.getTime() + OFFER_MS + 1);
  await dispatcher.runOnce();
  const next = await assignment(booked.assignmentId);
  expect(next.status).toBe('offered');
  expect(next.mechanicId).not.toBe(firstPick);
  expect(next.declinedBy).toContain(firstPick);
  const trail = await api.database.db.assignmentEvent.findMany({
    where: { assignmentId: booked.assignmentId },
    orderBy: { id: 'asc' },
  });
  expect(trail.map((e) => `${e.type}:${e.actorKind}`)).toEqual([
    'create:customer',
    'offer:dispatcher',
    'expire:timer',
    'requeue:dispatcher',
    'offer:dispatcher',
  ]);
});

it('an offer past its deadline cannot be accepted, even before any timer has run', async () => {
  await online('b1@demo.test');
  const booked = await book();
  await dispatcher.runOnce();
  expect((await assignment(booked.assignmentId)).status).toBe('offered');
  api.clock.now = new Date(api.clock.now.getTime() + OFFER_MS);
  const b1 = await api.as('b1@demo.test');
  const error = await b1.assignment.accept({ assignmentId: booked.assignmentId }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).message).toMatch(/expired/);
  expect((await assignment(booked.assignmentId)).status).toBe('offered');
});

it('a declined request goes to someone else and never back to the decliner', async () => {
  const [a1] = await online('a1@demo.test', 'a2@demo.test');
  await api.database.db.mechanic.update({
    where: { userId: a1 },
    data: { lastSeenAt: new Date(api.clock.now.getTime() - 1000) },
  });
  const booked = await book();
  await dispatcher.runOnce();
  const offered = await assignment(booked.assignmentId);
  const taker = offered.mechanicId === a1 ? 'a1@demo.test' : 'a2@demo.test';
  await (await api.as(taker)).assignment.decline({ assignmentId: booked.assignmentId });
  await dispatcher.runOnce();
  const reoffered = await assignment(booked.assignmentId);
  expect(reoffered.status).toBe('offered');
  expect(reoffered.mechanicId).not.toBe(offered.mechanicId);
  await (await api.as(taker === 'a1@demo.test' ? 'a2@demo.test' : 'a1@demo.test')).assignment.decline({
    assignmentId: booked.assignmentId,
  });
  await dispatcher.runOnce();
  expect((await assignment(booked.assignmentId)).status).toBe('queued');
});

it('away and offline mechanics get no offers', async () => {
  const [a1] = await online('a1@demo.test');
  await api.database.db.mechanic.update({ where: { userId: a1 }, data: { availability: 'away' } });
  const booked = await book();
  await dispatcher.runOnce();
  expect((await assignment(booked.assignmentId)).status).toBe('queued');
  await api.database.db.mechanic.update({
    where: { userId: a1 },
    data: { availability: 'available', lastSeenAt: new Date(api.clock.now.getTime() - 61_000) },
  });
  await dispatcher.runOnce();
  expect((await assignment(booked.assignmentId)).status).toBe('queued');
});

it('a request nobody takes in time is cancelled with "no mechanic available"', async () => {
  await online();
  const booked = await book();
  api.clock.now = new Date(api.clock.now.getTime() + 10 * 60_000 + 1);
  await dispatcher.runOnce();
  const customer = await api.as('customer1@demo.test');
  expect(await customer.session.get({ sessionId: booked.sessionId })).toMatchObject({
    status: 'cancelled',
    cancelReason: NO_MECHANIC_AVAILABLE.reason,
  });
});
