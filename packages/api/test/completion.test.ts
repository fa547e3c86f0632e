// Issue #14 items 3-5: completion with an outcome (and a diagnostic session's findings), the
// customer's one rating, the in-person visit details and the callback phone that only the session's
// mechanic (and admins) are told: never in an event row, a card, or a stream payload.
import { SESSION_OUTCOMES } from '@dispatch/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, createTestApi, errorOf, idempotencyKey, intake, type TestApi } from './harness.ts';

let api: TestApi;
let workshopA: string;
beforeAll(async () => {
  api = await createTestApi();
  workshopA = (await api.database.db.workshop.findFirstOrThrow({ where: { name: 'Northside Garage' } })).id;
});
afterAll(() => api?.close());

const CUSTOMER = 'customer1@demo.test';
const OTHER_CUSTOMER = 'customer2@demo.test';
/** As typed at booking, and as stored (normalised). */
const PHONE_TYPED = '+44 20 7946 0958';
const PHONE = '+442079460958';
const FINDINGS = {
  checked: 'Battery at rest 12.1 V, 9.8 V cranking; alternator 13.1 V at idle',
  suspectedCause: 'A weak battery and a tired alternator',
  advice: 'Replace the battery now and have the alternator tested at a workshop',
};

/** A fresh paid booking by the customer, accepted by `mechanic` unless told otherwise. */
async function booked(
  overrides: Parameters<typeof intake>[0] = {},
  { mechanic = 'virtual@demo.test' as string | null, customer = CUSTOMER } = {},
) {
  const session = await (await api.as(customer)).session.create({
    intake: intake(overrides),
    idempotencyKey: idempotencyKey(),
    allowAnotherOpen: true,
  });
  if (mechanic) await (await api.as(mechanic)).assignment.accept({ assignmentId: session.assignmentId });
  return session;
}

/** Every event row of the whole log as text: what the trail and every stream are made from. */
async function allEventText(): Promise<string> {
  const rows = await api.database.db.$queryRaw<{ row: string }[]>`
    SELECT row_to_json(e)::text AS row FROM assignment_events e ORDER BY position`;
  return rows.map((r) => r.row).join('\n');
}

describe('completion with an outcome', () => {
  it.each(SESSION_OUTCOMES)(
    'completes with %s: stored, summarised, and in the event trail without the note',
    async (outcome) => {
      const session = await booked({ sessionType: 'video' });
      const mechanic = await api.as('virtual@demo.test');
      const note = `Note for ${outcome}: checked the brake pads together over video.`;
      const card = await mechanic.assignment.complete({ assignmentId: session.assignmentId, outcome, note });
      expect(card).toMatchObject({ status: 'completed', outcome });

      const summary = await (await api.as(CUSTOMER)).session.summary({ sessionId: session.sessionId });
      expect(summary).toMatchObject({
        status: 'completed',
        outcome,
        note,
        findings: null,
        mechanicName: 'Priya Natarajan',
        rating: null,
        canRate: true,
      });
      expect(Date.parse(summary.completedAt ?? '')).toBeGreaterThanOrEqual(
        Date.parse(summary.acceptedAt ?? ''),
      );

      const events = await api.database.db.assignmentEvent.findMany({
        where: { sessionId: session.sessionId, type: 'complete' },
      });
      expect(events).toHaveLength(1);
      const [event] = events;
      if (!event) throw new Error('no complete event');
      expect(event.reason).toMatch(/^Outcome: /);
      expect((event.data as { card: { outcome: string } }).card.outcome).toBe(outcome);
      expect(await allEventText()).not.toContain('checked the brake pads');
    },
  );

  it('a diagnostic session completes with its findings, and only with them', async () => {
    const session = await booked({ sessionType: 'diagnostic' });
    const mechanic = await api.as('virtual@demo.test');
    const missing = await errorOf(
      mechanic.assignment.complete({
        assignmentId: session.assignmentId,
        outcome: 'needs_workshop',
        note: 'See findings',
      }),
    );
    expect(missing.code).toBe('BAD_REQUEST');
    expect(missing.message).toMatch(/needs its findings/);
    await mechanic.assignment.complete({
      assignmentId: session.assignmentId,
      outcome: 'needs_workshop',
      note: 'See the findings below.',
      findings: FINDINGS,
    });
    const summary = await (await api.as(CUSTOMER)).session.summary({ sessionId: session.sessionId });
    expect(summary).toMatchObject({ outcome: 'needs_workshop', findings: FINDINGS });
    // The findings are the mechanic's words about the customer's car: kept out of the event trail.
    expect(await allEventText()).not.toContain('tired alternator');

    const video = await booked({ sessionType: 'video' });
    const refused = await errorOf(
      mechanic.assignment.complete({
        assignmentId: video.assignmentId,
        outcome: 'resolved',
        note: 'Fixed',
        findings: FINDINGS,
      }),
    );
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.message).toMatch(/diagnostic sessions only/);
  });

  it('refuses a bad completion at the boundary, with nothing written', async () => {
    const session = await booked({ sessionType: 'chat' });
    const mechanic = await api.as('virtual@demo.test');
    const before = await api.database.db.assignmentEvent.count();
    for (const bad of [
      { outcome: 'fixed', note: 'All good now' },
      { outcome: 'resolved', note: '' },
      { outcome: 'resolved', note: 'x'.repeat(1001) },
      { outcome: 'resolved', note: 'Bad\u0000note' },
    ]) {
      const error = await errorOf(
        // biome-ignore lint/suspicious/noExplicitAny: hostile input on purpose.
        mechanic.assignment.complete({ assignmentId: session.assignmentId, ...(bad as any) }),
      );
      expect(error.code).toBe('BAD_REQUEST');
    }
    expect(await api.database.db.assignmentEvent.count()).toBe(before);
    expect(
      (await api.database.db.sessionAssignment.findUniqueOrThrow({ where: { id: session.assignmentId } }))
        .status,
    ).toBe('accepted');
  });

  it('only the accepting mechanic completes, only an accepted session, and a retry answers with the result', async () => {
    const session = await booked(
      { sessionType: 'in_person', workshopId: workshopA },
      { mechanic: 'a1@demo.test' },
    );
    const completion = {
      assignmentId: session.assignmentId,
      outcome: 'resolved' as const,
      note: 'Pads replaced.',
    };
    // A mechanic of the same workshop no longer sees it once taken: the unknown-id answer.
    expect((await errorOf((await api.as('a2@demo.test')).assignment.complete(completion))).code).toBe(
      'NOT_FOUND',
    );
    expect((await errorOf((await api.as('b1@demo.test')).assignment.complete(completion))).code).toBe(
      'NOT_FOUND',
    );
    expect((await errorOf((await api.as(CUSTOMER)).assignment.complete(completion))).code).toBe('FORBIDDEN');

    const a1 = await api.as('a1@demo.test');
    await a1.assignment.complete(completion);
    // The same mechanic pressing again (a retry, a second tab) gets the completed card, not an error.
    expect(await a1.assignment.complete({ ...completion, outcome: 'could_not_help' })).toMatchObject({
      status: 'completed',
      outcome: 'resolved',
    });
    expect(
      await api.database.db.assignmentEvent.count({
        where: { sessionId: session.sessionId, type: 'complete' },
      }),
    ).toBe(1);

    // Wrong state: a queued request cannot be completed, even by a mechanic who may see it.
    const queued = await booked({ sessionType: 'chat' }, { mechanic: null });
    const early = await errorOf(
      (await api.as('virtual@demo.test')).assignment.complete({
        ...completion,
        assignmentId: queued.assignmentId,
      }),
    );
    expect(early.code).toBe('CONFLICT');
    expect(early.message).toMatch(/Cannot complete a request that is queued/);
  });
});

describe('rating', () => {
  it('the customer rates a completed session once; a retry is the same answer, a second rating is refused', async () => {
    const session = await booked({ sessionType: 'chat' });
    const customer = await api.as(CUSTOMER);
    const notYet = await errorOf(customer.session.rate({ sessionId: session.sessionId, stars: 5 }));
    expect(notYet.code).toBe('CONFLICT');
    expect(notYet.message).toBe('You can rate a session once it is completed.');

    await (await api.as('virtual@demo.test')).assignment.complete({
      assignmentId: session.assignmentId,
      outcome: 'resolved',
      note: 'Talked through the reset.',
    });
    // Nobody but the session's customer: another customer gets the unknown-id answer, staff are refused.
    expect(
      (await errorOf((await api.as(OTHER_CUSTOMER)).session.rate({ sessionId: session.sessionId, stars: 1 })))
        .code,
    ).toBe('NOT_FOUND');
    expect(
      (
        await errorOf(
          (await api.as('virtual@demo.test')).session.rate({ sessionId: session.sessionId, stars: 5 }),
        )
      ).code,
    ).toBe('FORBIDDEN');
    expect(
      (
        await errorOf(
          (await api.as('admin@demo.test')).session.rate({ sessionId: session.sessionId, stars: 5 }),
        )
      ).code,
    ).toBe('FORBIDDEN');
    for (const stars of [0, 6, 3.5]) {
      expect((await errorOf(customer.session.rate({ sessionId: session.sessionId, stars }))).code).toBe(
        'BAD_REQUEST',
      );
    }

    const first = await customer.session.rate({
      sessionId: session.sessionId,
      stars: 4,
      comment: ' Clear and kind ',
    });
    expect(first).toMatchObject({ stars: 4, comment: 'Clear and kind', applied: true });
    expect(
      await customer.session.rate({ sessionId: session.sessionId, stars: 4, comment: 'Clear and kind' }),
    ).toMatchObject({
      stars: 4,
      applied: false,
    });
    const second = await errorOf(customer.session.rate({ sessionId: session.sessionId, stars: 1 }));
    expect(second.code).toBe('CONFLICT');
    expect(second.message).toBe('You have already rated this session.');
    expect(
      await api.database.db.sessionRating.findUniqueOrThrow({ where: { sessionId: session.sessionId } }),
    ).toMatchObject({
      stars: 4,
      comment: 'Clear and kind',
    });

    const summary = await customer.session.summary({ sessionId: session.sessionId });
    expect(summary).toMatchObject({ rating: { stars: 4, comment: 'Clear and kind' }, canRate: false });
    const mine = (await customer.session.listMine()).find((row) => row.id === session.sessionId);
    expect(mine).toMatchObject({ status: 'completed', outcome: 'resolved', rating: { stars: 4 } });

    // The mechanic sees the rating on their finished sessions, with their average.
    const finished = await (await api.as('virtual@demo.test')).mechanic.finished();
    expect(finished.sessions.find((s) => s.sessionId === session.sessionId)).toMatchObject({
      outcome: 'resolved',
      rating: { stars: 4, comment: 'Clear and kind' },
    });
    expect(finished.ratedCount).toBeGreaterThanOrEqual(1);
    expect(finished.average).toBeGreaterThanOrEqual(1);
    // Another mechanic's list does not carry it.
    const other = await (await api.as('a1@demo.test')).mechanic.finished();
    expect(other.sessions.map((s) => s.sessionId)).not.toContain(session.sessionId);
  });

  it('a session cancelled after accept cannot be rated', async () => {
    const session = await booked({ sessionType: 'chat' });
    const customer = await api.as(CUSTOMER);
    await customer.session.cancel({ sessionId: session.sessionId, reason: 'Sorted it myself' });
    expect((await errorOf(customer.session.rate({ sessionId: session.sessionId, stars: 3 }))).code).toBe(
      'CONFLICT',
    );
    expect(await customer.session.summary({ sessionId: session.sessionId })).toMatchObject({
      status: 'cancelled',
      outcome: null,
      canRate: false,
    });
  });
});

describe('in-person details and the callback phone', () => {
  it('the phone goes to the assigned mechanic (and admins) after accept only, and into no event, card or stream', async () => {
    const a1 = await api.as('a1@demo.test');
    const a2 = await api.as('a2@demo.test');
    const customer = await api.as(CUSTOMER);
    // Streams from before the booking: everything they deliver about it is checked for the phone.
    const from = (await a1.queue.list()).position;
    const a1Stream = await a1.queue.onChange({ lastEventId: from });
    const a2Stream = await a2.queue.onChange({ lastEventId: from });
    const customerStream = await customer.session.onChange({ lastEventId: from });
    const adminStream = await (await api.as('admin@demo.test')).queue.onChange({ lastEventId: from });

    const session = await booked(
      { sessionType: 'in_person', workshopId: workshopA, callbackPhone: PHONE_TYPED },
      { mechanic: null },
    );
    expect(
      await api.database.db.helpSession.findUniqueOrThrow({
        where: { id: session.sessionId },
        select: { callbackPhone: true },
      }),
    ).toEqual({ callbackPhone: PHONE });
    // Before accept: nobody is told the phone or the visit details, not even the mechanics who may take it.
    for (const who of [CUSTOMER, 'a1@demo.test', 'a2@demo.test']) {
      expect(await (await api.as(who)).session.contacts({ sessionId: session.sessionId })).toEqual({
        visit: null,
        callbackPhone: null,
      });
    }

    await a1.assignment.accept({ assignmentId: session.assignmentId });
    const forMechanic = await a1.session.contacts({ sessionId: session.sessionId });
    expect(forMechanic.callbackPhone).toBe(PHONE);
    expect(
      (await (await api.as('admin@demo.test')).session.contacts({ sessionId: session.sessionId }))
        .callbackPhone,
    ).toBe(PHONE);
    const forCustomer = await customer.session.contacts({ sessionId: session.sessionId });
    expect(forCustomer).toEqual({
      visit: {
        workshopName: 'Northside Garage',
        address: '1450 W Irving Park Rd, Chicago, IL 60613',
        phone: '+1 312 555 0142',
        mapUrl:
          'https://www.openstreetmap.org/search?query=1450%20W%20Irving%20Park%20Rd%2C%20Chicago%2C%20IL%2060613',
      },
      callbackPhone: null,
    });
    // Another mechanic of the same workshop, or another customer: the unknown-id answer.
    expect((await errorOf(a2.session.contacts({ sessionId: session.sessionId }))).code).toBe('NOT_FOUND');
    expect(
      (await errorOf((await api.as(OTHER_CUSTOMER)).session.contacts({ sessionId: session.sessionId }))).code,
    ).toBe('NOT_FOUND');

    // Every payload the API gives about the session, and every event row of the log, without it.
    const answers = JSON.stringify([
      await a1.queue.list(),
      await (await api.as('admin@demo.test')).queue.list(),
      await customer.session.get({ sessionId: session.sessionId }),
      await a1.session.get({ sessionId: session.sessionId }),
      await a1.session.summary({ sessionId: session.sessionId }),
      await customer.session.listMine(),
      await (await api.as('admin@demo.test')).admin.trail({ sessionId: session.sessionId }),
    ]);
    expect(answers).toContain(session.sessionId);
    await a1.assignment.complete({
      assignmentId: session.assignmentId,
      outcome: 'resolved',
      note: 'New pads fitted.',
    });
    expect(answers).not.toContain('2079460958');
    const events = await api.database.db.assignmentEvent.findMany({
      where: { sessionId: session.sessionId },
    });
    expect(events.map((e) => e.type)).toEqual(['create', 'accept', 'complete']);
    const log = await allEventText();
    expect(log).toContain(session.sessionId);
    expect(log).not.toContain('2079460958');

    const completed = (items: unknown[]) => JSON.stringify(items).includes('"completed"');
    const streamed = JSON.stringify([
      await collect(a1Stream, completed),
      await collect(customerStream, completed),
      await collect(adminStream, completed),
      await collect(a2Stream, (items) => JSON.stringify(items).includes('taken')),
    ]);
    expect(streamed).toContain(session.assignmentId);
    expect(streamed).not.toContain('2079460958');
    // Still the mechanic's after completion (to call back about the outcome); never the customer's.
    expect((await a1.session.contacts({ sessionId: session.sessionId })).callbackPhone).toBe(PHONE);
  });

  it('an "any workshop" visit shows the workshop of the mechanic who took it; a virtual session shows none', async () => {
    const session = await booked(
      { sessionType: 'in_person', workshopId: null },
      { mechanic: 'b1@demo.test' },
    );
    const contacts = await (await api.as(CUSTOMER)).session.contacts({ sessionId: session.sessionId });
    expect(contacts.visit).toMatchObject({ workshopName: 'Harbor Auto Works', phone: '+1 312 555 0187' });
    expect(contacts.visit?.mapUrl).toMatch(
      /^https:\/\/www\.openstreetmap\.org\/search\?query=2100%20S%20Halsted/,
    );
    await (await api.as('b1@demo.test')).assignment.complete({
      assignmentId: session.assignmentId,
      outcome: 'needs_workshop',
      note: 'Needs a lift.',
    });

    const urgentVideo = await booked({ sessionType: 'video', urgent: true, callbackPhone: '0161 496 0000' });
    expect(await (await api.as(CUSTOMER)).session.contacts({ sessionId: urgentVideo.sessionId })).toEqual({
      visit: null,
      callbackPhone: null,
    });
    expect(
      (await (await api.as('virtual@demo.test')).session.contacts({ sessionId: urgentVideo.sessionId }))
        .callbackPhone,
    ).toBe('01614960000');
  });

  it('booking asks for the phone on in-person and urgent requests, with a field error', async () => {
    const customer = await api.as(CUSTOMER);
    for (const overrides of [{ sessionType: 'in_person' as const }, { urgent: true }]) {
      const error = await errorOf(
        customer.session.create({
          intake: intake({ ...overrides, callbackPhone: undefined }),
          idempotencyKey: idempotencyKey(),
          allowAnotherOpen: true,
        }),
      );
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toMatch(/Phone number is required for in-person and urgent requests/);
    }
    const bad = await errorOf(
      customer.session.create({
        intake: intake({ urgent: true, callbackPhone: 'call me maybe' }),
        idempotencyKey: idempotencyKey(),
        allowAnotherOpen: true,
      }),
    );
    expect(bad.message).toMatch(/Phone number may only hold digits/);
  });
});
