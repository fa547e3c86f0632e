import type { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentWaiver } from '../src/queries/waiver-text.ts';
import { createTestApi, errorOf, idempotencyKey, intake, type TestApi } from './harness.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api?.close());

const CUSTOMER = 'customer1@demo.test';
const OTHER_CUSTOMER = 'customer2@demo.test';

describe('booking, waiver and accept', () => {
  it('a free session waits for its waiver, then joins the queue and is accepted', async () => {
    const customer = await api.as(CUSTOMER);
    const created = await customer.session.create({
      intake: intake({ plan: 'free' }),
      idempotencyKey: idempotencyKey(),
      allowAnotherOpen: true,
    });
    expect(created).toMatchObject({
      status: 'pending_waiver',
      assignmentStatus: 'pending_waiver',
      actions: ['sign_waiver', 'cancel'],
      dispatchMode: 'broadcast',
    });

    const mechanic = await api.as('virtual@demo.test');
    expect((await mechanic.queue.list()).items.map((c) => c.sessionId)).not.toContain(created.sessionId);

    const signed = await customer.waiver.sign({
      sessionId: created.sessionId,
      signerName: 'Ana Ortiz',
      consent: true,
      waiverVersion: currentWaiver.version,
    });
    expect(signed).toMatchObject({
      status: 'waiting',
      assignmentStatus: 'queued',
    });
    // The one place in line is stats.waiting's, counted over what the same mechanics could take.
    expect(signed).not.toHaveProperty('queuePosition');

    const waiver = await api.database.db.waiver.findUniqueOrThrow({
      where: { sessionId: created.sessionId },
    });
    expect(waiver).toMatchObject({
      signerName: 'Ana Ortiz',
      consent: true,
      waiverVersion: currentWaiver.version,
      textSha256: currentWaiver.sha256,
      ipAddress: '127.0.0.1',
      userAgent: 'vitest',
    });
    expect(waiver.textSha256).toMatch(/^[0-9a-f]{64}$/);

    const queue = await mechanic.queue.list();
    const card = queue.items.find((c) => c.sessionId === created.sessionId);
    expect(card).toMatchObject({ status: 'queued', vehicle: { make: 'Honda' } });
    const accepted = await mechanic.assignment.accept({ assignmentId: card?.assignmentId ?? '' });
    expect(accepted).toMatchObject({ status: 'accepted', mechanic: { displayName: expect.any(String) } });

    const seen = await customer.session.get({ sessionId: created.sessionId });
    expect(seen).toMatchObject({ status: 'in_progress', mechanicName: accepted?.mechanic?.displayName });

    const session = await api.database.db.helpSession.findUniqueOrThrow({ where: { id: created.sessionId } });
    expect(session.status).toBe('in_progress');
  });

  it('a paid session skips the waiver and takes the same path', async () => {
    const customer = await api.as(CUSTOMER);
    const created = await customer.session.create({
      intake: intake({ plan: 'paid' }),
      idempotencyKey: idempotencyKey(),
      allowAnotherOpen: true,
    });
    expect(created).toMatchObject({ status: 'waiting', assignmentStatus: 'queued' });
    const error = await errorOf(
      customer.waiver.sign({
        sessionId: created.sessionId,
        signerName: 'Ana',
        consent: true,
        waiverVersion: currentWaiver.version,
      }),
    );
    expect(error.code).toBe('CONFLICT');
    expect(await api.database.db.waiver.count({ where: { sessionId: created.sessionId } })).toBe(0);
  });

  it('every transition wrote one event saying who did it', async () => {
    const customer = await api.as(CUSTOMER);
    const created = await customer.session.create({
      intake: intake({ plan: 'free' }),
      idempotencyKey: idempotencyKey(),
      allowAnotherOpen: true,
    });
    await customer.session.cancel({ sessionId: created.sessionId, reason: 'Fixed it myself' });
    const admin = await api.as('admin@demo.test');
    const trail = await admin.admin.trail({ sessionId: created.sessionId });
    const me = await api.user(CUSTOMER);
    expect(trail.map((e) => [e.type, e.fromStatus, e.toStatus, e.actorKind, e.actorId, e.reason])).toEqual([
      ['create', null, 'pending_waiver', 'customer', me.id, null],
      ['cancel', 'pending_waiver', 'cancelled', 'customer', me.id, 'Fixed it myself'],
    ]);
    expect(trail.every((e) => e.requestId?.startsWith('test-'))).toBe(true);
    const unknown = await errorOf(admin.admin.trail({ sessionId: '00000000-0000-1000-8000-000000000000' }));
    expect(unknown.code).toBe('NOT_FOUND');
    const session = await api.database.db.helpSession.findUniqueOrThrow({ where: { id: created.sessionId } });
    expect(session).toMatchObject({ status: 'cancelled', cancelReason: 'Fixed it myself' });
  });

  it("auth.me gives a customer their own sign-up phone (the booking's callback default), and nobody else's", async () => {
    const customer = await (await api.as('customer1@demo.test')).auth.me();
    const stored = await api.database.db.user.findUniqueOrThrow({ where: { email: 'customer1@demo.test' } });
    expect(stored.phone).toBeTruthy();
    expect(customer?.phone).toBe(stored.phone);
    expect((await (await api.as('a1@demo.test')).auth.me())?.phone).toBeNull();
    expect(await (await api.as(null)).auth.me()).toBeNull();
  });

  it('a retried create with the same idempotency key books once', async () => {
    const customer = await api.as(OTHER_CUSTOMER);
    const key = idempotencyKey();
    const [a, b] = await Promise.all([
      customer.session.create({ intake: intake(), idempotencyKey: key, allowAnotherOpen: true }),
      customer.session.create({ intake: intake(), idempotencyKey: key, allowAnotherOpen: true }),
    ]);
    expect(a.sessionId).toBe(b.sessionId);
    const me = await api.user(OTHER_CUSTOMER);
    expect(
      await api.database.db.helpSession.count({ where: { customerId: me.id, idempotencyKey: key } }),
    ).toBe(1);
  });

  it('signing twice stores one signature', async () => {
    const customer = await api.as(CUSTOMER);
    const created = await customer.session.create({
      intake: intake({ plan: 'free' }),
      idempotencyKey: idempotencyKey(),
      allowAnotherOpen: true,
    });
    const signature = {
      sessionId: created.sessionId,
      signerName: 'Ana',
      consent: true as const,
      waiverVersion: currentWaiver.version,
    };
    const [a, b] = await Promise.all([customer.waiver.sign(signature), customer.waiver.sign(signature)]);
    expect(a.assignmentStatus).toBe('queued');
    expect(b.assignmentStatus).toBe('queued');
    expect(await api.database.db.waiver.count({ where: { sessionId: created.sessionId } })).toBe(1);
    const events = await api.database.db.assignmentEvent.count({
      where: { sessionId: created.sessionId, type: 'sign_waiver' },
    });
    expect(events).toBe(1);
  });

  it('an outdated waiver version is refused with a clear message', async () => {
    const customer = await api.as(CUSTOMER);
    const created = await customer.session.create({
      intake: intake({ plan: 'free' }),
      idempotencyKey: idempotencyKey(),
      allowAnotherOpen: true,
    });
    const error = await errorOf(
      customer.waiver.sign({
        sessionId: created.sessionId,
        signerName: 'Ana',
        consent: true,
        waiverVersion: '1999-01-01',
      }),
    );
    expect(error).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/waiver text has changed/),
    });
  });

  it('a customer cannot read, sign or cancel another customer’s session', async () => {
    const owner = await api.as(CUSTOMER);
    const created = await owner.session.create({
      intake: intake({ plan: 'free' }),
      idempotencyKey: idempotencyKey(),
      allowAnotherOpen: true,
    });
    const other = await api.as(OTHER_CUSTOMER);
    expect((await errorOf(other.session.get({ sessionId: created.sessionId }))).code).toBe('NOT_FOUND');
    expect((await errorOf(other.session.cancel({ sessionId: created.sessionId, reason: 'nope' }))).code).toBe(
      'NOT_FOUND',
    );
    expect(
      (
        await errorOf(
          other.waiver.sign({
            sessionId: created.sessionId,
            signerName: 'X Y',
            consent: true,
            waiverVersion: currentWaiver.version,
          }),
        )
      ).code,
    ).toBe('NOT_FOUND');
  });

  it('rejects bad input at the boundary, naming the field', async () => {
    const customer = await api.as(CUSTOMER);
    const error = await errorOf(
      customer.session.create({
        intake: intake({ vehicleYear: 1800, concern: 'x' }),
        idempotencyKey: idempotencyKey(),
        allowAnotherOpen: true,
      }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toMatch(/Vehicle year must be 1950 or later/);
    expect(error.message).toMatch(/Concern needs at least 10 characters/);
  });

  it('anonymous callers and the wrong roles are refused', async () => {
    const anonymous = await api.as(null);
    expect((await errorOf(anonymous.queue.list())).code).toBe('UNAUTHORIZED');
    const customer = await api.as(CUSTOMER);
    expect((await errorOf(customer.queue.list())).code).toBe('FORBIDDEN');
    const mechanic = await api.as('a1@demo.test');
    expect(
      (
        await errorOf(
          mechanic.session.create({
            intake: intake(),
            idempotencyKey: idempotencyKey(),
            allowAnotherOpen: true,
          }),
        )
      ).code,
    ).toBe('FORBIDDEN');
  });
});

describe('accepting', () => {
  it('exactly one of many racing mechanics wins; the rest get a clean conflict', async () => {
    const customer = await api.as(CUSTOMER);
    const created = await customer.session.create({
      intake: intake(),
      idempotencyKey: idempotencyKey(),
      allowAnotherOpen: true,
    });
    const emails = ['virtual@demo.test', 'a1@demo.test', 'a2@demo.test', 'b1@demo.test', 'b2@demo.test'];
    const callers = await Promise.all(emails.map((email) => api.as(email)));
    const results = await Promise.allSettled(
      callers.flatMap((caller) =>
        [0, 1, 2].map(() => caller.assignment.accept({ assignmentId: created.assignmentId })),
      ),
    );
    const winners = new Set(
      results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value.mechanic?.id] : [])),
    );
    expect(winners.size).toBe(1);
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as TRPCError).code).toBe('CONFLICT');
    }
    const accepts = await api.database.db.assignmentEvent.count({
      where: { assignmentId: created.assignmentId, type: 'accept' },
    });
    expect(accepts).toBe(1);
  });

  it('a double-clicked accept is one accept and both clicks succeed', async () => {
    const customer = await api.as(CUSTOMER);
    const created = await customer.session.create({
      intake: intake(),
      idempotencyKey: idempotencyKey(),
      allowAnotherOpen: true,
    });
    const mechanic = await api.as('a2@demo.test');
    const [first, second] = await Promise.all([
      mechanic.assignment.accept({ assignmentId: created.assignmentId }),
      mechanic.assignment.accept({ assignmentId: created.assignmentId }),
    ]);
    expect(first?.status).toBe('accepted');
    expect(second?.status).toBe('accepted');
    expect(
      await api.database.db.assignmentEvent.count({
        where: { assignmentId: created.assignmentId, type: 'accept' },
      }),
    ).toBe(1);
  });

  it('only the accepting mechanic completes, and the session completes with it', async () => {
    const customer = await api.as(CUSTOMER);
    const created = await customer.session.create({
      intake: intake(),
      idempotencyKey: idempotencyKey(),
      allowAnotherOpen: true,
    });
    const winner = await api.as('a1@demo.test');
    await winner.assignment.accept({ assignmentId: created.assignmentId });
    const other = await api.as('a2@demo.test');
    expect(
      (
        await errorOf(
          other.assignment.complete({
            assignmentId: created.assignmentId,
            outcome: 'resolved',
            note: 'Sorted out together.',
          }),
        )
      ).code,
    ).toBe('NOT_FOUND');
    await winner.assignment.complete({
      assignmentId: created.assignmentId,
      outcome: 'resolved',
      note: 'Sorted out together.',
    });
    const session = await api.database.db.helpSession.findUniqueOrThrow({ where: { id: created.sessionId } });
    expect(session.status).toBe('completed');
    const refused = await errorOf(
      customer.session.cancel({ sessionId: created.sessionId, reason: 'too late' }),
    );
    expect(refused).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already finished/) });
  });
});
