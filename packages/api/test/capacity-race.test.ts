import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CommandError } from '../src/commands/index.ts';
import { createTestApi, idempotencyKey, intake, type TestApi } from './harness.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi({ dispatchMode: 'broadcast' });
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

async function book(sessionType: 'video' | 'chat' | 'in_person', customer = 'customer1@demo.test') {
  return (await api.as(customer)).session.create({
    intake: intake({ sessionType }),
    idempotencyKey: idempotencyKey(),
    allowAnotherOpen: true,
  });
}

/** The domain refusal code a rejected call carries (the command's error, under the tRPC one). */
function refusalCode(error: unknown): string | null {
  if (!(error instanceof TRPCError) || !(error.cause instanceof CommandError)) return null;
  return error.cause.details.refusal ?? null;
}

describe('one mechanic accepting two requests at once', () => {
  it.each([
    ['two in-person visits', 'a1@demo.test', 'in_person', 'in_person'],
    ['a video call and a chat at capacity 1', 'virtual@demo.test', 'video', 'chat'],
  ] as const)('%s: exactly one wins, the other is refused at capacity', async (_, email, t1, t2) => {
    const [r1, r2] = await Promise.all([book(t1), book(t2, 'customer2@demo.test')]);
    const mechanic = await api.as(email);
    const results = await Promise.allSettled([
      mechanic.assignment.accept({ assignmentId: r1.assignmentId }),
      mechanic.assignment.accept({ assignmentId: r2.assignmentId }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused && refusalCode(refused.reason)).toBe('at_capacity');

    const accepted = await api.database.db.sessionAssignment.count({
      where: { id: { in: [r1.assignmentId, r2.assignmentId] }, status: 'accepted' },
    });
    expect(accepted).toBe(1);
    const winner = results[0]?.status === 'fulfilled' ? r1 : r2;
    const loser = winner === r1 ? r2 : r1;
    const loserEvents = await api.database.db.assignmentEvent.findMany({
      where: { assignmentId: loser.assignmentId },
    });
    expect(loserEvents.map((e) => e.type)).toEqual(['create']);

    // Once the first is done, the second can be taken.
    await mechanic.assignment.complete({ assignmentId: winner.assignmentId });
    await mechanic.assignment.accept({ assignmentId: loser.assignmentId });
    await mechanic.assignment.complete({ assignmentId: loser.assignmentId });
  });

  it('an in-person visit blocks a video call, and a live video call blocks an in-person visit', async () => {
    const visit = await book('in_person');
    const call = await book('video', 'customer2@demo.test');
    const a1 = await api.as('a1@demo.test');
    await a1.assignment.accept({ assignmentId: visit.assignmentId });
    const error = await a1.assignment.accept({ assignmentId: call.assignmentId }).catch((e: unknown) => e);
    expect(refusalCode(error)).toBe('at_capacity');
    await a1.assignment.complete({ assignmentId: visit.assignmentId });
    await a1.assignment.accept({ assignmentId: call.assignmentId });
    const next = await book('in_person');
    const busy = await a1.assignment.accept({ assignmentId: next.assignmentId }).catch((e: unknown) => e);
    expect(refusalCode(busy)).toBe('at_capacity');
    // The dashboard learns the exact reason from stats.mine, from the same domain rule.
    expect((await a1.stats.mine()).acceptable.in_person).toMatchObject({
      ok: false,
      code: 'finish_live_sessions_first',
    });
    await a1.assignment.complete({ assignmentId: call.assignmentId });
    await (await api.as('admin@demo.test')).session.cancel({
      sessionId: next.sessionId,
      reason: 'test done',
    });
  });
});

describe('admins change a mechanic’s capacity, with a reason', () => {
  it('a capacity of 2 lets two video calls run at once, not three; the change is recorded', async () => {
    const virtual = await api.user('virtual@demo.test');
    const admin = await api.as('admin@demo.test');
    expect(
      await admin.admin.setCapacity({
        mechanicId: virtual.id,
        virtualCapacity: 2,
        reason: 'senior, handles two',
      }),
    ).toEqual({ mechanicId: virtual.id, from: 1, virtualCapacity: 2 });
    const calls = await Promise.all([book('video'), book('chat', 'customer2@demo.test'), book('video')]);
    const mechanic = await api.as('virtual@demo.test');
    const results = await Promise.allSettled(
      calls.map((c) => mechanic.assignment.accept({ assignmentId: c.assignmentId })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused && refusalCode(refused.reason)).toBe('at_capacity');
    const verdict = (await mechanic.stats.mine()).acceptable.video;
    expect(verdict).toMatchObject({ ok: false, code: 'at_capacity' });
    // The refusal says what the dashboard already showed on the card: one rule, one message.
    expect(refused?.status === 'rejected' && (refused.reason as Error).message).toBe(
      !verdict.ok && verdict.message,
    );
    const changes = await api.database.db.capacityChange.findMany({ where: { mechanicId: virtual.id } });
    expect(changes).toEqual([
      expect.objectContaining({ fromValue: 1, toValue: 2, reason: 'senior, handles two' }),
    ]);

    const tooMany = await admin.admin
      .setCapacity({ mechanicId: virtual.id, virtualCapacity: 99, reason: 'typo' })
      .catch((e: unknown) => e);
    expect((tooMany as TRPCError).code).toBe('BAD_REQUEST');
    const nobody = await admin.admin
      .setCapacity({ mechanicId: '00000000-0000-4000-8000-000000000000', virtualCapacity: 1, reason: 'who' })
      .catch((e: unknown) => e);
    expect((nobody as TRPCError).code).toBe('NOT_FOUND');
    await admin.admin.setCapacity({ mechanicId: virtual.id, virtualCapacity: 1, reason: 'back to one' });
  });
});
