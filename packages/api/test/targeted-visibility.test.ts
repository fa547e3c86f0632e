// Issue #11 item 7 (targeted mode): a mechanic's streams carry nothing about a request never offered
// to them while queued requests are created and offered to others; session.get agrees; and for
// every event in the log and every viewer, the projections deliver exactly when canView says so.
import { canView, type Viewer } from '@dispatch/domain';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/dispatch/dispatcher.ts';
import { projectForSessions, projectForStaff } from '../src/log/projection.ts';
import type { StoredEvent } from '../src/log/stored-event.ts';
import { createTestApi, idempotencyKey, intake, type TestApi } from './harness.ts';

let api: TestApi;
let dispatcher: Dispatcher;
let workshopA: string;
let workshopB: string;

const MECHANICS = ['virtual@demo.test', 'a1@demo.test', 'a2@demo.test', 'b1@demo.test', 'b2@demo.test'];
const EVERYONE = [...MECHANICS, 'customer1@demo.test', 'customer2@demo.test', 'admin@demo.test'];

beforeAll(async () => {
  api = await createTestApi({
    dispatchMode: 'targeted',
    offerTimeoutMs: 30_000,
    queueTimeoutMs: 60 * 60_000,
  });
  dispatcher = new Dispatcher(api.services);
  const workshops = await api.database.db.workshop.findMany();
  workshopA = workshops.find((w) => w.name.startsWith('Northside'))?.id ?? '';
  workshopB = workshops.find((w) => w.name.startsWith('Harbor'))?.id ?? '';
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
}

async function book(customer: string, overrides: Parameters<typeof intake>[0] = {}) {
  return (await api.as(customer)).session.create({
    intake: intake(overrides),
    idempotencyKey: idempotencyKey(),
    allowAnotherOpen: true,
  });
}

type Tracked = [
  id: string,
  data: { kind: string; card?: { sessionId: string }; session?: { sessionId: string } },
];
const sessionOf = (item: Tracked) => item[1].card?.sessionId ?? item[1].session?.sessionId;

/** Collects from a stream in the background until stopped. */
function record(iterable: AsyncIterable<unknown>) {
  const items: Tracked[] = [];
  const iterator = iterable[Symbol.asyncIterator]();
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const next = await iterator.next();
      if (next.done) return;
      items.push(next.value as Tracked);
    }
  })();
  return {
    items,
    stop() {
      // Not awaited: a generator's return waits for its pending next (the hub wakes it on close).
      stopped = true;
      void iterator.return?.();
      void done.catch(() => {});
    },
  };
}

async function allEvents(): Promise<StoredEvent[]> {
  await api.hub.catchUp();
  const events: StoredEvent[] = [];
  for (;;) {
    const batch = await api.hub.readAfter(events.at(-1)?.position ?? 0n);
    if (batch.length === 0) return events;
    events.push(...batch);
  }
}

describe("a mechanic's streams in targeted mode", () => {
  it('carry no event of a request never offered to them, while others get offers', async () => {
    const a1 = await api.as('a1@demo.test');
    const a1User = await api.user('a1@demo.test');
    // a1 is away: every offer goes to a2, b1 or virtual.
    await online('a2@demo.test', 'b1@demo.test', 'virtual@demo.test');
    const { position } = await a1.queue.list();
    const sessions = record(await a1.session.onChange({ lastEventId: position }));
    const queue = record(await a1.queue.onChange({ lastEventId: position }));

    const others: string[] = [];
    const shapes = [
      { sessionType: 'chat' as const },
      { sessionType: 'video' as const },
      { sessionType: 'in_person' as const, workshopId: null },
      { sessionType: 'in_person' as const, workshopId: workshopA },
      { sessionType: 'in_person' as const, workshopId: workshopB },
      { sessionType: 'chat' as const, urgent: true },
    ];
    for (let round = 0; round < 3; round += 1) {
      for (const shape of shapes) {
        const booked = await book(round % 2 ? 'customer2@demo.test' : 'customer1@demo.test', shape);
        others.push(booked.sessionId);
      }
      await dispatcher.runOnce();
      // The mechanics who got offers act on some of them: accept, decline, let others wait.
      const offered = await api.database.db.sessionAssignment.findMany({
        where: { status: 'offered', sessionId: { in: others } },
        include: { mechanic: { include: { user: true } } },
      });
      for (const [i, row] of offered.entries()) {
        const caller = await api.as(row.mechanic?.user.email ?? '');
        if (i % 3 === 0) await caller.assignment.accept({ assignmentId: row.id });
        else if (i % 3 === 1) await caller.assignment.decline({ assignmentId: row.id });
      }
      await dispatcher.runOnce();
    }
    expect(
      await api.database.db.assignmentEvent.count({ where: { sessionId: { in: others }, type: 'offer' } }),
    ).toBeGreaterThan(5);
    const everOfferedToA1 = await api.database.db.assignmentEvent.count({
      where: { sessionId: { in: others }, actorId: a1User.id },
    });
    expect(everOfferedToA1).toBe(0);
    const a1Offers = await api.database.db.$queryRaw<unknown[]>`
      SELECT 1 FROM assignment_events WHERE data->'after'->>'mechanicId' = ${a1User.id}`;
    expect(a1Offers).toHaveLength(0);

    // The others are cancelled (else a1, once online, would be offered the oldest of them); then one
    // request is offered to a1 alone: it arrives, which shows the streams were live.
    const admin = await api.as('admin@demo.test');
    const open = await api.database.db.sessionAssignment.findMany({
      where: { sessionId: { in: others }, status: { notIn: ['cancelled', 'completed'] } },
    });
    for (const row of open) await admin.session.cancel({ sessionId: row.sessionId, reason: 'test reset' });
    await online('a1@demo.test');
    const mine = await book('customer1@demo.test', { sessionType: 'chat' });
    await dispatcher.runOnce();
    expect(
      (await api.database.db.sessionAssignment.findUniqueOrThrow({ where: { id: mine.assignmentId } }))
        .mechanicId,
    ).toBe(a1User.id);
    await expect.poll(() => sessions.items.length, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    await expect.poll(() => queue.items.length, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    sessions.stop();
    queue.stop();

    for (const item of [...sessions.items, ...queue.items]) {
      expect(others, `a1 received ${JSON.stringify(item[1])}`).not.toContain(sessionOf(item));
      expect(sessionOf(item)).toBe(mine.sessionId);
    }

    // session.get agrees: NOT_FOUND for every request never offered to a1, the offered one loads.
    for (const sessionId of others) {
      const error = await a1.session.get({ sessionId }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code).toBe('NOT_FOUND');
    }
    expect((await a1.session.get({ sessionId: mine.sessionId })).sessionId).toBe(mine.sessionId);
  });
});

describe('projections agree with canView in targeted mode', () => {
  it('for every event in the log and every viewer', async () => {
    const events = await allEvents();
    expect(events.length).toBeGreaterThan(30);
    const viewers: [string, Viewer][] = await Promise.all(
      EVERYONE.map(async (email) => [email, (await api.user(email)).viewer] as [string, Viewer]),
    );
    let delivered = 0;
    let withheld = 0;
    let removals = 0;
    for (const event of events) {
      for (const [email, viewer] of viewers) {
        const label = `${email} at ${event.cursor} (${event.type} → ${event.toStatus})`;
        const visible = canView(viewer, event.data.after, 'targeted');
        const session = projectForSessions(viewer, event, null, 'targeted');
        expect(session !== null, label).toBe(visible);
        if (session)
          expect(session).toMatchObject({ kind: 'session', session: { sessionId: event.sessionId } });
        // Filtered to another session, nothing.
        expect(
          projectForSessions(viewer, event, '00000000-0000-4000-8000-000000000000', 'targeted'),
        ).toBeNull();

        const staff = projectForStaff(viewer, event, 'targeted');
        if (visible) {
          expect(staff, label).toMatchObject({ kind: 'upsert', card: { assignmentId: event.assignmentId } });
          delivered += 1;
        } else {
          const sawBefore = event.data.before !== null && canView(viewer, event.data.before, 'targeted');
          if (sawBefore) {
            expect(staff, label).toMatchObject({ kind: 'removed', assignmentId: event.assignmentId });
            expect(JSON.stringify(staff)).not.toContain('customerName');
            removals += 1;
          } else {
            expect(staff, label).toBeNull();
            withheld += 1;
          }
        }
      }
    }
    expect(delivered).toBeGreaterThan(0);
    expect(withheld).toBeGreaterThan(0);
    expect(removals).toBeGreaterThan(0);
  });

  it('session.get answers for exactly the sessions canView allows, for every viewer', async () => {
    const rows = await api.database.db.sessionAssignment.findMany({ include: { session: true } });
    for (const email of EVERYONE) {
      const caller = await api.as(email);
      const viewer = (await api.user(email)).viewer;
      for (const row of rows) {
        const facts = {
          status: row.status,
          customerId: row.session.customerId,
          mechanicId: row.mechanicId,
          sessionType: row.session.type,
          workshopId: row.session.workshopId,
        };
        const ok = await caller.session.get({ sessionId: row.sessionId }).then(
          () => true,
          (e: unknown) => {
            expect((e as TRPCError).code).toBe('NOT_FOUND');
            return false;
          },
        );
        expect(ok, `${email} → ${row.sessionId} (${row.status})`).toBe(canView(viewer, facts, 'targeted'));
      }
    }
  });
});
