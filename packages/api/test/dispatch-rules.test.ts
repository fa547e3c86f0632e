import {
  newRoundReason,
  ROUND_PAUSE_MS,
  renderWaitingMessage,
  STRANDED_AFTER_MS,
  STRANDED_REASON_PREFIX,
  URGENT_HEAD_START_MS,
} from '@dispatch/domain';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Services } from '../src/context.ts';
import { Dispatcher } from '../src/dispatch/dispatcher.ts';
import { EventHub } from '../src/log/hub.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { waitingFacts } from '../src/queries/waiting-facts.ts';
import { completion, createTestApi, idempotencyKey, intake, log, type TestApi } from './harness.ts';

const OFFER_MS = 30_000;
let api: TestApi;
let dispatcher: Dispatcher;

beforeAll(async () => {
  api = await createTestApi({
    dispatchMode: 'targeted',
    offerTimeoutMs: OFFER_MS,
    queueTimeoutMs: 15 * 60_000,
  });
  // The harness lifts every capacity for other tests; these run at the default of one.
  await api.database.db.mechanic.updateMany({ data: { virtualCapacity: 1 } });
  dispatcher = new Dispatcher(api.services);
});
afterAll(() => api?.close());

const db = () => api.database.db;
const later = (ms: number) => {
  api.clock.now = new Date(api.clock.now.getTime() + ms);
};

/** Only the given mechanics are available and online now; nobody has an offer history. */
async function online(...emails: string[]) {
  const ids = await Promise.all(emails.map(async (email) => (await api.user(email)).id));
  await db().mechanic.updateMany({
    data: { availability: 'offline', lastSeenAt: null, lastOfferedAt: null },
  });
  await db().mechanic.updateMany({
    where: { userId: { in: ids } },
    data: { availability: 'available', lastSeenAt: api.clock.now },
  });
  return ids;
}

/** Closes every open request directly, so each test starts from an empty queue and idle mechanics. */
async function reset() {
  await db().sessionAssignment.updateMany({
    where: { status: { notIn: ['cancelled', 'completed'] } },
    data: { status: 'cancelled', cancelReason: 'test reset', offerExpiresAt: null },
  });
  await db().sessionAssignment.updateMany({
    data: { acceptedAt: null, completedAt: null, cancelledAt: null },
  });
}

beforeEach(async () => {
  api.clock.now = new Date();
  await reset();
});

async function book(overrides: Parameters<typeof intake>[0] = {}, customer = 'customer1@demo.test') {
  return (await api.as(customer)).session.create({
    intake: intake({ sessionType: 'video', ...overrides }),
    idempotencyKey: idempotencyKey(),
    allowAnotherOpen: true,
  });
}
const assignment = (id: string) => db().sessionAssignment.findUniqueOrThrow({ where: { id } });
const trail = (assignmentId: string) =>
  db().assignmentEvent.findMany({ where: { assignmentId }, orderBy: { position: 'asc' } });
const facts = (assignmentId: string, mode: 'targeted' | 'broadcast' = 'targeted') =>
  waitingFacts(db(), assignmentId, api.clock.now, mode);
const as = (email: string | null) => api.as(email);

describe('capacity-aware offers (targeted)', () => {
  it('a mechanic in the middle of a chat is not offered the next video call; someone free is', async () => {
    const [virtual, a1] = await online('virtual@demo.test', 'a1@demo.test');
    await db().mechanic.update({ where: { userId: a1 }, data: { lastOfferedAt: api.clock.now } });
    const chat = await book({ sessionType: 'chat' });
    await dispatcher.runOnce();
    expect((await assignment(chat.assignmentId)).mechanicId).toBe(virtual);
    await (await as('virtual@demo.test')).assignment.accept({ assignmentId: chat.assignmentId });

    const video = await book({ sessionType: 'video' });
    await dispatcher.runOnce();
    const offered = await assignment(video.assignmentId);
    expect(offered.status).toBe('offered');
    expect(offered.mechanicId).toBe(a1);
    const offer = (await trail(video.assignmentId)).find((e) => e.type === 'offer');
    expect(offer?.reason).toBe('longest idle of 1 eligible mechanic free now; not offered: 1 at capacity');

    const mine = await (await as('virtual@demo.test')).stats.mine();
    expect(mine).toMatchObject({ load: { virtual: 1, inPerson: 0 }, virtualCapacity: 1 });
    expect(mine.acceptable.video).toMatchObject({ ok: false, code: 'at_capacity' });
    expect(mine.acceptable.in_person).toMatchObject({ ok: false, code: 'finish_live_sessions_first' });
    await db().mechanic.update({ where: { userId: a1 }, data: { availability: 'away' } });
    expect((await (await as('a1@demo.test')).stats.mine()).acceptable.chat).toMatchObject({
      ok: false,
      code: 'not_available',
    });
  });

  it('nobody free: the request waits, and the customer is told all are busy and where they stand', async () => {
    await online('virtual@demo.test');
    const chat = await book({ sessionType: 'chat' });
    await dispatcher.runOnce();
    await (await as('virtual@demo.test')).assignment.accept({ assignmentId: chat.assignmentId });
    const video = await book({ sessionType: 'video' });
    await dispatcher.runOnce();
    expect((await assignment(video.assignmentId)).status).toBe('queued');
    const waiting = await facts(video.assignmentId);
    expect(waiting?.facts).toMatchObject({ online: 1, free: 0, position: 1 });
    expect(waiting && renderWaitingMessage(waiting.message)).toBe(
      'All available mechanics are busy; you are first in line.',
    );
  });
});

describe('fair order (targeted)', () => {
  it('offers to the mechanic idle longest since their last offer or session', async () => {
    const [a1, a2] = await online('a1@demo.test', 'a2@demo.test');
    await db().mechanic.update({
      where: { userId: a1 },
      data: { lastOfferedAt: new Date(api.clock.now.getTime() - 10_000) },
    });
    await db().mechanic.update({
      where: { userId: a2 },
      data: { lastOfferedAt: new Date(api.clock.now.getTime() - 60_000) },
    });
    const first = await book({ sessionType: 'in_person' });
    await dispatcher.runOnce();
    expect((await assignment(first.assignmentId)).mechanicId).toBe(a2);
    // The offer itself is activity: a2 is now the most recently offered, so a1 gets the next one.
    expect((await db().mechanic.findUniqueOrThrow({ where: { userId: a2 } })).lastOfferedAt).toEqual(
      api.clock.now,
    );
    const second = await book({ sessionType: 'in_person' });
    await dispatcher.runOnce();
    expect((await assignment(second.assignmentId)).mechanicId).toBe(a1);
  });

  it('urgent goes first, but a normal request that waited past the head start is not overtaken', async () => {
    await online('a1@demo.test');
    const normal = await book({ sessionType: 'in_person' });
    later(30_000);
    const urgent = await book({ sessionType: 'in_person', urgent: true }, 'customer2@demo.test');
    await dispatcher.runOnce();
    expect((await assignment(urgent.assignmentId)).status).toBe('offered');
    expect((await assignment(normal.assignmentId)).status).toBe('queued');

    await reset();
    const old = await book({ sessionType: 'in_person' });
    later(URGENT_HEAD_START_MS + 1000);
    await online('a1@demo.test');
    const fresh = await book({ sessionType: 'in_person', urgent: true }, 'customer2@demo.test');
    await dispatcher.runOnce();
    expect((await assignment(old.assignmentId)).status).toBe('offered');
    expect((await assignment(fresh.assignmentId)).status).toBe('queued');
  });
});

describe('no dead ends (targeted)', () => {
  it('when every mechanic has passed, a new round starts after the pause and the request reaches someone', async () => {
    await online('a1@demo.test', 'a2@demo.test');
    const booked = await book({ sessionType: 'in_person' });
    await dispatcher.runOnce();
    const first = await assignment(booked.assignmentId);
    const firstEmail =
      first.mechanicId === (await api.user('a1@demo.test')).id ? 'a1@demo.test' : 'a2@demo.test';
    const secondEmail = firstEmail === 'a1@demo.test' ? 'a2@demo.test' : 'a1@demo.test';
    expect((await facts(booked.assignmentId))?.message.code).toBe('offering_one_at_a_time');

    await (await as(firstEmail)).assignment.decline({ assignmentId: booked.assignmentId });
    await dispatcher.runOnce();
    expect((await assignment(booked.assignmentId)).mechanicId).toBe((await api.user(secondEmail)).id);
    later(OFFER_MS + 1);
    await online('a1@demo.test', 'a2@demo.test');
    await dispatcher.runOnce(); // the second lets it lapse: everyone has passed

    const passed = await assignment(booked.assignmentId);
    expect(passed.status).toBe('queued');
    expect(passed.declinedBy).toHaveLength(2);
    const told = await facts(booked.assignmentId);
    expect(told?.message.code).toBe('new_round_soon');
    expect(told?.message.params.nextRoundInSeconds).toBe(ROUND_PAUSE_MS / 1000);

    later(ROUND_PAUSE_MS);
    await online('a1@demo.test', 'a2@demo.test');
    const stats = await dispatcher.runOnce();
    expect(stats).toMatchObject({ newRounds: 1, offered: 1 });
    const reoffered = await assignment(booked.assignmentId);
    expect(reoffered.status).toBe('offered');
    expect(reoffered.declinedBy).toEqual([]);
    const events = await trail(booked.assignmentId);
    expect(events.map((e) => `${e.type}:${e.fromStatus}>${e.toStatus}`)).toEqual([
      'create:null>queued',
      'offer:queued>offered',
      'decline:offered>declined',
      'requeue:declined>queued',
      'offer:queued>offered',
      'expire:offered>expired',
      'requeue:expired>queued',
      'requeue:queued>queued',
      'offer:queued>offered',
    ]);
    expect(events[7]?.reason).toBe(newRoundReason(2));
    expect(events[5]?.reason).toBe('not answered within 30 s');

    const taker =
      reoffered.mechanicId === (await api.user('a1@demo.test')).id ? 'a1@demo.test' : 'a2@demo.test';
    await (await as(taker)).assignment.accept({ assignmentId: booked.assignmentId });
    expect((await assignment(booked.assignmentId)).status).toBe('accepted');
  });

  it('tells the customer when no mechanic is online, not "you are next"', async () => {
    await online();
    const booked = await book({ sessionType: 'chat' });
    await dispatcher.runOnce();
    const told = await facts(booked.assignmentId);
    expect(told?.facts).toMatchObject({ online: 0, position: 1 });
    expect(told?.message.code).toBe('no_mechanic_online');
    // The customer reads the same through stats.waiting.
    const customer = await as('customer1@demo.test');
    expect(await customer.stats.waiting({ sessionId: booked.sessionId })).toMatchObject({
      message: {
        code: 'no_mechanic_online',
        params: { online: 0, ahead: 0, typicalWait: null },
        notice: null,
      },
      facts: { mode: 'targeted', online: 0, free: 0, position: 1, offeredNow: false, nextRoundAt: null },
    });
  });
});

describe('honest position and wait', () => {
  it('counts only requests the same mechanics would take first (a chat is 3rd, not 4th)', async () => {
    await online('virtual@demo.test', 'a1@demo.test', 'b1@demo.test');
    const harbor = await db().workshop.findFirstOrThrow({ where: { name: { startsWith: 'Harbor' } } });
    await book({ sessionType: 'in_person', workshopId: harbor.id });
    later(1000);
    await book({ sessionType: 'video' });
    later(1000);
    await book({ sessionType: 'chat' });
    later(1000);
    const chat = await book({ sessionType: 'chat' }, 'customer2@demo.test');
    const told = await facts(chat.assignmentId, 'broadcast');
    expect(told?.facts.position).toBe(3);
    expect(told?.facts.online).toBe(3);
    expect(told?.message.code).toBe('waiting_in_line');
  });

  it('the typical wait is the measured accept time of recent comparable requests; unknown without data', async () => {
    await online('virtual@demo.test');
    expect(
      (await (await as(null)).stats.public()).sessionTypes.find((s) => s.sessionType === 'diagnostic'),
    ).toEqual({
      sessionType: 'diagnostic',
      mechanicsOnline: 1,
      mechanicsFree: 1,
      typicalWait: null,
    });
    for (const waitSeconds of [20, 40, 60, 80]) {
      const booked = await book({ sessionType: 'diagnostic' });
      later(waitSeconds * 1000);
      await online('virtual@demo.test');
      await dispatcher.runOnce();
      await (await as('virtual@demo.test')).assignment.accept({ assignmentId: booked.assignmentId });
      await (await as('virtual@demo.test')).assignment.complete({
        assignmentId: booked.assignmentId,
        ...completion('diagnostic'),
      });
    }
    const stats = await (await as(null)).stats.public();
    expect(stats.dispatchMode).toBe('targeted');
    expect(stats.sessionTypes.find((s) => s.sessionType === 'diagnostic')?.typicalWait).toEqual({
      lowSeconds: 35,
      highSeconds: 65,
      samples: 4,
    });
    // Chats are not comparable to diagnostics: still unknown. In-person: nobody online can take it.
    expect(stats.sessionTypes.find((s) => s.sessionType === 'chat')?.typicalWait).toBeNull();
    expect(stats.sessionTypes.find((s) => s.sessionType === 'in_person')).toMatchObject({
      mechanicsOnline: 0,
    });
  });
});

describe('stranded work', () => {
  /** A second server process over the same database: its own hub, metrics and dispatcher. */
  async function anotherProcess() {
    const hub = new EventHub({ connectionString: api.database.url, log, pollIntervalMs: 200 });
    await hub.start();
    const services: Services = { ...api.services, hub, metrics: createMetrics('restarted') };
    return { services, dispatcher: new Dispatcher(services), stop: () => hub.stop() };
  }

  it('an accepted session whose mechanic vanished returns to the queue at its original place, across a restart', async () => {
    const [a1, a2] = await online('a1@demo.test', 'a2@demo.test');
    const booked = await book({ sessionType: 'in_person' });
    await db().mechanic.update({ where: { userId: a2 }, data: { lastOfferedAt: api.clock.now } });
    await dispatcher.runOnce();
    expect((await assignment(booked.assignmentId)).mechanicId).toBe(a1);
    await (await as('a1@demo.test')).assignment.accept({ assignmentId: booked.assignmentId });
    const accepted = await assignment(booked.assignmentId);
    later(1000);
    const newer = await book({ sessionType: 'in_person' }, 'customer2@demo.test');

    // From here on the first process (`dispatcher`) is gone: a deploy or a crash. a1's connection
    // died with it and never came back; a second process over the same database carries on.
    later(STRANDED_AFTER_MS - 2000);
    const restarted = await anotherProcess();
    try {
      await online('a2@demo.test');
      await db().mechanic.update({
        where: { userId: a1 },
        data: { availability: 'available', lastSeenAt: accepted.acceptedAt },
      });
      await db().mechanic.update({
        where: { userId: (await api.user('a2@demo.test')).id },
        data: { availability: 'away' },
      });
      expect((await restarted.dispatcher.runOnce()).returned).toBe(0);
      later(2000);
      expect((await restarted.dispatcher.runOnce()).returned).toBe(1);
    } finally {
      await restarted.stop();
    }

    const returned = await assignment(booked.assignmentId);
    expect(returned).toMatchObject({ status: 'queued', mechanicId: null, queuedAt: accepted.queuedAt });
    const last = (await trail(booked.assignmentId)).at(-1);
    expect(last).toMatchObject({
      type: 'requeue',
      fromStatus: 'accepted',
      toStatus: 'queued',
      actorKind: 'dispatcher',
    });
    expect(last?.reason?.startsWith(STRANDED_REASON_PREFIX)).toBe(true);

    // The customer is told, and keeps their place ahead of the request booked after theirs.
    const customer = await as('customer1@demo.test');
    expect((await customer.session.get({ sessionId: booked.sessionId })).status).toBe('waiting');
    const told = await facts(booked.assignmentId);
    expect(told?.message.notice).toBe('mechanic_lost_connection');
    expect(told?.facts.position).toBe(1);
    expect((await facts(newer.assignmentId))?.facts.position).toBe(2);

    // So is the mechanic, when they come back.
    const mine = await (await as('a1@demo.test')).stats.mine();
    expect(mine.returnedWhileAway).toEqual([
      expect.objectContaining({
        sessionId: booked.sessionId,
        reason: last?.reason,
        sessionType: 'in_person',
        vehicle: expect.objectContaining({ year: expect.any(Number), make: expect.any(String) }),
      }),
    ]);
    expect(mine.load).toEqual({ virtual: 0, inPerson: 0 });
  });

  it('a mechanic whose heartbeats keep coming keeps the session', async () => {
    const [a1] = await online('a1@demo.test');
    const booked = await book({ sessionType: 'in_person' });
    await dispatcher.runOnce();
    await (await as('a1@demo.test')).assignment.accept({ assignmentId: booked.assignmentId });
    later(STRANDED_AFTER_MS + 60_000);
    await db().mechanic.update({
      where: { userId: a1 },
      data: { lastSeenAt: new Date(api.clock.now.getTime() - 20_000) },
    });
    expect((await dispatcher.runOnce()).returned).toBe(0);
    expect((await assignment(booked.assignmentId)).status).toBe('accepted');
  });
});
