import { randomUUID } from 'node:crypto';
import type { RoomEvent } from '@dispatch/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../src/root.ts';
import { memoryRateLimiter } from '../src/security/rate-limit.ts';
import { createCallerFactory } from '../src/trpc.ts';
import { collect, createTestApi, idempotencyKey, intake, type TestApi } from './harness.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api?.close());

type Tracked = [id: string, data: RoomEvent];
const asTracked = (value: unknown) => value as Tracked;
const messagesOf = (items: unknown[]) =>
  items.map(asTracked).flatMap(([, e]) => (e.kind === 'message' ? [e.message] : []));
const errorOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: { code?: string; message: string; cause?: { retryAfterMs?: number } }) => error,
  );

/** A session booked by customer1 and accepted by virtual@ (a room open to both). */
async function openRoom(customer = 'customer1@demo.test', mechanic = 'virtual@demo.test') {
  const booked = await (await api.as(customer)).session.create({
    intake: intake({ sessionType: 'chat' }),
    idempotencyKey: idempotencyKey(),
    allowAnotherOpen: true,
  });
  await (await api.as(mechanic)).assignment.accept({ assignmentId: booked.assignmentId });
  return booked;
}

const say = async (email: string, sessionId: string, body: string, clientKey = randomUUID()) =>
  (await api.as(email)).room.send({ sessionId, clientKey, body });

describe('room chat', () => {
  it('both members write and read in order; marks give ✓✓, read and unread counts on both sides', async () => {
    const { sessionId } = await openRoom();
    const customer = await api.as('customer1@demo.test');
    const mechanic = await api.as('virtual@demo.test');
    const first = await say('customer1@demo.test', sessionId, 'Hello, my brakes grind');
    const second = await say('virtual@demo.test', sessionId, 'Hi! When does it happen?');
    expect(first).toMatchObject({ author: 'customer', mine: true, body: 'Hello, my brakes grind' });
    expect(second).toMatchObject({ author: 'mechanic', mine: true });
    expect(BigInt(second.position)).toBeGreaterThan(BigInt(first.position));

    const seenByCustomer = await customer.room.history({ sessionId });
    expect(seenByCustomer.messages.map((m) => [m.body, m.mine])).toEqual([
      ['Hello, my brakes grind', true],
      ['Hi! When does it happen?', false],
    ]);
    expect(seenByCustomer.state.marks.unread).toBe(1);
    expect((await customer.room.unread()).find((r) => r.sessionId === sessionId)?.unread).toBe(1);
    expect((await mechanic.room.unread()).find((r) => r.sessionId === sessionId)?.unread).toBe(1);

    // The mechanic's client received the customer's message, then showed it.
    await mechanic.room.mark({ sessionId, delivered: first.position });
    expect((await customer.room.get({ sessionId })).marks).toMatchObject({
      otherDelivered: first.position,
      otherRead: '0',
    });
    await mechanic.room.mark({ sessionId, read: second.position });
    expect((await customer.room.get({ sessionId })).marks.otherRead).toBe(second.position);
    expect((await mechanic.room.get({ sessionId })).marks.unread).toBe(0);
    expect((await mechanic.room.unread()).find((r) => r.sessionId === sessionId)).toBeUndefined();
    // Marks never move back, and cannot run ahead of the room's newest message.
    await mechanic.room.mark({ sessionId, read: first.position, delivered: '999999999' });
    expect((await customer.room.get({ sessionId })).marks).toMatchObject({
      otherRead: second.position,
      otherDelivered: second.position,
    });
  });

  it('a resend with the same key returns the first message and stores nothing twice', async () => {
    const { sessionId } = await openRoom();
    const key = randomUUID();
    const a = await say('customer1@demo.test', sessionId, 'Are you there?', key);
    const b = await say('customer1@demo.test', sessionId, 'Are you there?', key);
    expect(b).toEqual(a);
    const rows = await api.database.db.roomMessage.count({ where: { sessionId, clientKey: key } });
    expect(rows).toBe(1);
  });

  it('the subscription resumes from lastEventId with exactly the missed messages, in order, once', async () => {
    const { sessionId } = await openRoom();
    const mechanic = await api.as('virtual@demo.test');
    const early = [await say('customer1@demo.test', sessionId, 'one')];
    const firstRun = await collect(
      await mechanic.room.onMessage({ sessionId }),
      (items) => messagesOf(items).length >= 1,
    );
    expect(asTracked(firstRun[0])[1]).toMatchObject({
      kind: 'state',
      state: { access: 'write', side: 'mechanic' },
    });
    expect(messagesOf(firstRun).map((m) => m.body)).toEqual(['one']);
    const lastEventId = asTracked(firstRun.at(-1))[0];
    expect(lastEventId).toBe(early[0]?.position);

    const missed = ['two', 'three', 'four'];
    for (const body of missed) await say('customer1@demo.test', sessionId, body);
    const stream = await mechanic.room.onMessage({ sessionId, lastEventId });
    const later = say('customer1@demo.test', sessionId, 'five (live)');
    const resumed = await collect(stream, (items) => messagesOf(items).length >= 4);
    await later;
    expect(messagesOf(resumed).map((m) => m.body)).toEqual([...missed, 'five (live)']);
    const ids = resumed.map(asTracked).map(([id]) => BigInt(id));
    expect([...ids].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))).toEqual(ids);
  });

  it('a mark by the other side reaches the subscriber as a new state', async () => {
    const { sessionId } = await openRoom();
    const customer = await api.as('customer1@demo.test');
    const sent = await say('customer1@demo.test', sessionId, 'Photo coming');
    const stream = await customer.room.onMessage({ sessionId, lastEventId: sent.position });
    const marked = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await (await api.as('virtual@demo.test')).room.mark({ sessionId, read: sent.position });
    })();
    const events = await collect(stream, (items) =>
      items.map(asTracked).some(([, e]) => e.kind === 'state' && e.state.marks.otherRead === sent.position),
    );
    await marked;
    expect(events.map(asTracked).map(([, e]) => e.kind)).toEqual(['state', 'state']);
  });

  it('a position this log never handed out gets a resync, then the room from the start', async () => {
    const { sessionId } = await openRoom();
    await say('customer1@demo.test', sessionId, 'only message');
    const mechanic = await api.as('virtual@demo.test');
    const events = await collect(
      await mechanic.room.onMessage({ sessionId, lastEventId: '9000000000000000000' }),
      (items) => messagesOf(items).length >= 1,
    );
    expect(asTracked(events[0])[1]).toEqual({ kind: 'resync', reason: 'position_unknown' });
    expect(messagesOf(events).map((m) => m.body)).toEqual(['only message']);
  });

  it('is read-only once completed, for both sides, who can still read the history', async () => {
    const booked = await openRoom();
    const { sessionId } = booked;
    await say('customer1@demo.test', sessionId, 'Thanks!');
    await (await api.as('virtual@demo.test')).assignment.complete({
      assignmentId: booked.assignmentId,
      outcome: 'resolved',
      note: 'Sorted out together.',
    });
    for (const email of ['customer1@demo.test', 'virtual@demo.test']) {
      const error = await errorOf(say(email, sessionId, 'one more thing'));
      expect(error).toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining('read but not written'),
      });
      const caller = await api.as(email);
      expect((await caller.room.history({ sessionId })).messages.map((m) => m.body)).toEqual(['Thanks!']);
      expect((await caller.room.get({ sessionId })).access).toBe('read');
    }
    // Reading the history of a closed room still moves one's own read mark.
    await (await api.as('virtual@demo.test')).room.mark({ sessionId, read: '999999999' });
    expect((await (await api.as('virtual@demo.test')).room.get({ sessionId })).marks.unread).toBe(0);
  });

  it('refuses text that is too long or not clean, with a message a person can read', async () => {
    const { sessionId } = await openRoom();
    expect(await errorOf(say('customer1@demo.test', sessionId, 'x'.repeat(2001)))).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('at most 2000 characters'),
    });
    expect(await errorOf(say('customer1@demo.test', sessionId, 'bad\u0000byte'))).toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(await errorOf(say('customer1@demo.test', sessionId, '   '))).toMatchObject({
      code: 'BAD_REQUEST',
    });
    // Line breaks are fine: a message may have paragraphs.
    expect((await say('customer1@demo.test', sessionId, 'line one\nline two')).body).toBe(
      'line one\nline two',
    );
  });

  it('rate-limits each person with TOO_MANY_REQUESTS and retryAfterMs; a resend of a sent message is free', async () => {
    const { sessionId } = await openRoom();
    const limited = createCallerFactory(appRouter)({
      ...api.services,
      rateLimiter: memoryRateLimiter({ logIn: 10, signUp: 10, createSession: 10, roomMessage: 2 }),
      user: await api.user('customer1@demo.test'),
      meta: { requestId: 'test-limit', ip: '127.0.0.1', userAgent: 'vitest', secure: false },
      setCookie: () => {},
      transport: null,
    });
    const key = randomUUID();
    await limited.room.send({ sessionId, clientKey: key, body: 'one' });
    await limited.room.send({ sessionId, clientKey: randomUUID(), body: 'two' });
    const refused = await errorOf(limited.room.send({ sessionId, clientKey: randomUUID(), body: 'three' }));
    expect(refused).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      message: expect.stringContaining('too fast'),
    });
    expect(refused?.cause?.retryAfterMs).toBeGreaterThan(0);
    expect((await limited.room.send({ sessionId, clientKey: key, body: 'one' })).body).toBe('one');
  });
});

describe('who may enter a room', () => {
  it('anyone but its customer and mechanic gets NOT_FOUND, exactly like an unknown id; admins read only', async () => {
    const { sessionId } = await openRoom();
    await say('customer1@demo.test', sessionId, 'private');
    const unknown = randomUUID();
    for (const email of ['customer2@demo.test', 'a1@demo.test', 'b1@demo.test']) {
      const outsider = await api.as(email);
      for (const id of [sessionId, unknown]) {
        expect(await errorOf(outsider.room.get({ sessionId: id }))).toMatchObject({ code: 'NOT_FOUND' });
        expect(await errorOf(outsider.room.history({ sessionId: id }))).toMatchObject({ code: 'NOT_FOUND' });
        expect(
          await errorOf(outsider.room.send({ sessionId: id, clientKey: randomUUID(), body: 'hi' })),
        ).toMatchObject({ code: 'NOT_FOUND' });
        expect(await errorOf(outsider.room.mark({ sessionId: id, read: '1' }))).toMatchObject({
          code: 'NOT_FOUND',
        });
        expect(await errorOf(outsider.room.onMessage({ sessionId: id }))).toMatchObject({
          code: 'NOT_FOUND',
        });
      }
      expect((await outsider.room.unread()).some((r) => r.sessionId === sessionId)).toBe(false);
    }
    const admin = await api.as('admin@demo.test');
    expect((await admin.room.history({ sessionId })).messages.map((m) => m.body)).toEqual(['private']);
    expect(await errorOf(admin.room.send({ sessionId, clientKey: randomUUID(), body: 'hi' }))).toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('a session nobody accepted has no room, not even for its customer', async () => {
    const booked = await (await api.as('customer2@demo.test')).session.create({
      intake: intake(),
      idempotencyKey: idempotencyKey(),
      allowAnotherOpen: true,
    });
    const customer = await api.as('customer2@demo.test');
    expect(await errorOf(customer.room.get({ sessionId: booked.sessionId }))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('a subscriber who loses the room (the session went back to the queue) gets NOT_FOUND and nothing more', async () => {
    const booked = await openRoom('customer2@demo.test', 'a1@demo.test');
    const { sessionId } = booked;
    const stream = await (await api.as('a1@demo.test')).room.onMessage({ sessionId });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBeDefined();
    await (await api.as('admin@demo.test')).admin.reoffer({ sessionId, reason: 'test move' });
    await say('customer2@demo.test', sessionId, 'after the move').catch(() => null);
    const next = await iterator.next().then(
      (value) => ({ value }),
      (error: { code?: string }) => ({ error }),
    );
    expect(next).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await api.database.db.roomMessage.count({ where: { sessionId, body: 'after the move' } })).toBe(0);
  });
});
