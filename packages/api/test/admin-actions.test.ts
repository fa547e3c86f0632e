import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CommandError } from '../src/commands/index.ts';
import { waitingFacts } from '../src/queries/waiting-facts.ts';
import { createTestApi, idempotencyKey, intake, type TestApi } from './harness.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi({ dispatchMode: 'broadcast', offerTimeoutMs: 30_000 });
  // The harness lifts every capacity for other tests; these run at the default of one.
  await api.database.db.mechanic.updateMany({ data: { virtualCapacity: 1 } });
});
afterAll(() => api?.close());
beforeEach(async () => {
  api.clock.now = new Date();
  await api.database.db.mechanic.updateMany({
    data: { availability: 'available', lastSeenAt: api.clock.now },
  });
});

const admin = () => api.as('admin@demo.test');
const book = async (sessionType: 'video' | 'in_person' = 'in_person') =>
  (await api.as('customer1@demo.test')).session.create({
    intake: intake({ sessionType }),
    idempotencyKey: idempotencyKey(),
    allowAnotherOpen: true,
  });
const assignment = (id: string) => api.database.db.sessionAssignment.findUniqueOrThrow({ where: { id } });
const lastEvents = async (assignmentId: string, n: number) =>
  (
    await api.database.db.assignmentEvent.findMany({ where: { assignmentId }, orderBy: { position: 'asc' } })
  ).slice(-n);
const refusal = (error: unknown) =>
  error instanceof TRPCError
    ? { code: error.code, refusal: error.cause instanceof CommandError ? error.cause.details.refusal : null }
    : error;

describe('admin actions, each a domain transition with the admin and the reason on the event', () => {
  it('reassigns an accepted visit to a named eligible mechanic, who then accepts it', async () => {
    const booked = await book();
    await (await api.as('a1@demo.test')).assignment.accept({ assignmentId: booked.assignmentId });
    const a2 = await api.user('a2@demo.test');
    const card = await (await admin()).admin.reassign({
      sessionId: booked.sessionId,
      mechanicId: a2.id,
      reason: 'a1 called in sick',
    });
    expect(card).toMatchObject({ status: 'offered', mechanic: { id: a2.id } });
    const adminId = (await api.user('admin@demo.test')).id;
    expect(
      (await lastEvents(booked.assignmentId, 2)).map((e) => [
        e.type,
        e.fromStatus,
        e.actorKind,
        e.actorId,
        e.reason,
      ]),
    ).toEqual([
      ['requeue', 'accepted', 'admin', adminId, `admin reassign to ${a2.displayName}: a1 called in sick`],
      ['offer', 'queued', 'admin', adminId, `admin reassign to ${a2.displayName}: a1 called in sick`],
    ]);
    // Only a2 may take it now; a1's queue no longer shows it.
    const a1Queue = await (await api.as('a1@demo.test')).queue.list();
    expect(a1Queue.items.map((c) => c.assignmentId)).not.toContain(booked.assignmentId);
    await (await api.as('a2@demo.test')).assignment.accept({ assignmentId: booked.assignmentId });
    expect((await assignment(booked.assignmentId)).mechanicId).toBe(a2.id);
    await (await api.as('a2@demo.test')).assignment.complete({
      assignmentId: booked.assignmentId,
      outcome: 'resolved',
      note: 'Sorted out together.',
    });
  });

  it.each([
    ['a virtual-only mechanic for an in-person visit', 'virtual@demo.test', 'not_eligible', null],
    ['an away mechanic', 'b1@demo.test', 'mechanic_unavailable', 'away'],
  ] as const)('refuses to reassign to %s', async (_, email, code, availability) => {
    const booked = await book();
    const target = await api.user(email);
    if (availability) {
      await api.database.db.mechanic.update({ where: { userId: target.id }, data: { availability } });
    }
    const error = await (await admin()).admin
      .reassign({ sessionId: booked.sessionId, mechanicId: target.id, reason: 'try them' })
      .catch((e: unknown) => e);
    expect(refusal(error)).toEqual({ code: 'CONFLICT', refusal: code });
    expect((await assignment(booked.assignmentId)).status).toBe('queued');
    await (await admin()).admin.cancel({ sessionId: booked.sessionId, reason: 'test done' });
  });

  it('refuses to reassign to a mechanic at capacity', async () => {
    const busy = await book('video');
    await (await api.as('virtual@demo.test')).assignment.accept({ assignmentId: busy.assignmentId });
    const other = await book('video');
    const error = await (await admin()).admin
      .reassign({
        sessionId: other.sessionId,
        mechanicId: (await api.user('virtual@demo.test')).id,
        reason: 'try',
      })
      .catch((e: unknown) => e);
    expect(refusal(error)).toEqual({ code: 'CONFLICT', refusal: 'at_capacity' });
    await (await api.as('virtual@demo.test')).assignment.complete({
      assignmentId: busy.assignmentId,
      outcome: 'resolved',
      note: 'Sorted out together.',
    });
    await (await admin()).admin.cancel({ sessionId: other.sessionId, reason: 'test done' });
  });

  it('re-offers an accepted session: back in the queue at its original place', async () => {
    const booked = await book();
    const before = await assignment(booked.assignmentId);
    await (await api.as('b1@demo.test')).assignment.accept({ assignmentId: booked.assignmentId });
    const card = await (await admin()).admin.reoffer({
      sessionId: booked.sessionId,
      reason: 'customer asked for someone else',
    });
    expect(card).toMatchObject({ status: 'queued', mechanic: null });
    expect((await assignment(booked.assignmentId)).queuedAt).toEqual(before.queuedAt);
    const told = await waitingFacts(api.database.db, booked.assignmentId, api.clock.now, 'broadcast');
    expect(told?.message.notice).toBe('moved_by_support');
    expect((await lastEvents(booked.assignmentId, 1))[0]).toMatchObject({
      type: 'requeue',
      actorKind: 'admin',
      reason: 'admin re-offer: customer asked for someone else',
    });
  });

  it('cancels with the reason on the event and the session; a repeat answers the same and writes nothing', async () => {
    const booked = await book();
    const card = await (await admin()).admin.cancel({
      sessionId: booked.sessionId,
      reason: 'duplicate request',
    });
    expect(card).toMatchObject({ status: 'cancelled', cancelReason: 'duplicate request' });
    expect((await lastEvents(booked.assignmentId, 1))[0]).toMatchObject({
      type: 'cancel',
      actorKind: 'admin',
      reason: 'duplicate request',
    });
    // A second cancel (a retry, a second tab) answers with the same result and writes nothing.
    const again = await (await admin()).admin.cancel({ sessionId: booked.sessionId, reason: 'again' });
    expect(again).toMatchObject({ status: 'cancelled', cancelReason: 'duplicate request' });
    expect(await lastEvents(booked.assignmentId, 5)).toHaveLength(2);
    const short = await (await admin()).admin
      .cancel({ sessionId: booked.sessionId, reason: 'x' })
      .catch((e: unknown) => e);
    expect((short as TRPCError).code).toBe('BAD_REQUEST');
  });
});
