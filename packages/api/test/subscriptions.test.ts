import type { QueueEvent, SessionEvent } from '@dispatch/domain';
import { canView, parsePosition } from '@dispatch/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectForStaff } from '../src/log/projection.ts';
import { collect, createTestApi, idempotencyKey, intake, type TestApi } from './harness.ts';

let api: TestApi;
let workshopA: string;
let workshopB: string;
beforeAll(async () => {
  api = await createTestApi();
  const workshops = await api.database.db.workshop.findMany({ orderBy: { name: 'asc' } });
  workshopB = workshops.find((w) => w.name.startsWith('Harbor'))?.id ?? '';
  workshopA = workshops.find((w) => w.name.startsWith('Northside'))?.id ?? '';
});
afterAll(() => api?.close());

type Tracked<T> = [id: string, data: T];
const asTracked = <T>(value: unknown) => value as Tracked<T>;

async function book(overrides: Parameters<typeof intake>[0] = {}) {
  const customer = await api.as('customer1@demo.test');
  return customer.session.create({
    intake: intake(overrides),
    idempotencyKey: idempotencyKey(),
    allowAnotherOpen: true,
  });
}

describe('queue.onChange', () => {
  it('delivers from the list position, and a removal to everyone else when one mechanic accepts', async () => {
    const a1 = await api.as('a1@demo.test');
    const a2 = await api.as('a2@demo.test');
    const { position } = await a1.queue.list();
    const booked = await book();

    const a2Stream = await a2.queue.onChange({ lastEventId: position });
    await a1.assignment.accept({ assignmentId: booked.assignmentId });
    const got = await collect(a2Stream, (items) => items.length >= 2);
    const events = got.map((v) => asTracked<QueueEvent>(v)[1]);
    expect(events).toEqual([
      {
        kind: 'upsert',
        card: expect.objectContaining({ assignmentId: booked.assignmentId, status: 'queued' }),
      },
      { kind: 'removed', assignmentId: booked.assignmentId, reason: 'taken' },
    ]);
  });

  it('resumes from lastEventId with exactly the missed events, in order, once', async () => {
    const b1 = await api.as('b1@demo.test');
    const { position } = await b1.queue.list();
    const first = await book();
    const firstPart = await collect(
      await b1.queue.onChange({ lastEventId: position }),
      (items) => items.length >= 1,
    );
    const [lastEventId] = asTracked<QueueEvent>(firstPart[0]);

    const missed = [await book(), await book(), await book()];
    const resumed = await collect(await b1.queue.onChange({ lastEventId }), (items) => items.length >= 3);
    expect(
      resumed.map(
        (v) => (asTracked<QueueEvent>(v)[1] as { card: { assignmentId: string } }).card.assignmentId,
      ),
    ).toEqual(missed.map((m) => m.assignmentId));
    const ids = resumed.map((v) => asTracked<QueueEvent>(v)[0]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => parsePosition(id) !== null)).toBe(true);
    expect(first.assignmentId).not.toBe(missed[0]?.assignmentId);
  });

  it('never sends a workshop-B mechanic anything about a workshop-A request, nor in-person to virtual-only', async () => {
    const b1 = await api.as('b1@demo.test');
    const virtual = await api.as('virtual@demo.test');
    const fromB = (await b1.queue.list()).position;
    const fromV = (await virtual.queue.list()).position;
    const atA = await book({ sessionType: 'in_person', workshopId: workshopA });
    const marker = await book({ sessionType: 'chat' });
    const bEvents = await collect(
      await b1.queue.onChange({ lastEventId: fromB }),
      (items) => items.length >= 1,
      1500,
    );
    const vEvents = await collect(
      await virtual.queue.onChange({ lastEventId: fromV }),
      (items) => items.length >= 1,
      1500,
    );
    for (const stream of [bEvents, vEvents]) {
      const text = JSON.stringify(stream);
      expect(text).not.toContain(atA.assignmentId);
      expect(text).toContain(marker.assignmentId);
    }
  });

  it('mechanic payloads carry no customer email or phone', async () => {
    const a1 = await api.as('a1@demo.test');
    const { position } = await a1.queue.list();
    await book();
    const events = await collect(
      await a1.queue.onChange({ lastEventId: position }),
      (items) => items.length >= 1,
    );
    const text = JSON.stringify(events) + JSON.stringify(await a1.queue.list());
    expect(text).not.toMatch(/@demo\.test|\+1 555/);
  });
});

describe('session.onChange', () => {
  it('tells the customer about their own session only', async () => {
    const customer = await api.as('customer1@demo.test');
    const other = await api.as('customer2@demo.test');
    const otherFrom = api.hub.head;
    const created = await book({ plan: 'free' });
    const mine = await customer.session.get({ sessionId: created.sessionId });
    const stream = await customer.session.onChange({
      sessionId: created.sessionId,
      lastEventId: mine.position,
    });
    await customer.waiver.sign({
      sessionId: created.sessionId,
      signerName: 'Ana',
      consent: true,
      waiverVersion: '2026-11-01',
    });
    const events = await collect(stream, (items) => items.length >= 1);
    expect(
      (asTracked<SessionEvent>(events[0])[1] as Extract<SessionEvent, { kind: 'session' }>).session,
    ).toMatchObject({
      sessionId: created.sessionId,
      status: 'waiting',
    });
    const leaked = await collect(
      await other.session.onChange({ lastEventId: String(otherFrom) }),
      (items) => items.length >= 1,
      800,
    );
    expect(leaked).toEqual([]);
  });
});

describe('the queue query and the event filter agree with the visibility rule', () => {
  it('for every mechanic and every request in the database', async () => {
    const types = ['video', 'chat', 'diagnostic', 'in_person'] as const;
    for (const sessionType of types) {
      for (const workshopId of sessionType === 'in_person' ? [null, workshopA, workshopB] : [null]) {
        await book({ sessionType, workshopId, urgent: Math.random() < 0.3 });
      }
    }
    const taken = await book();
    await (await api.as('b2@demo.test')).assignment.accept({ assignmentId: taken.assignmentId });

    const admin = await api.as('admin@demo.test');
    const all = (await admin.queue.list()).items;
    for (const email of [
      'virtual@demo.test',
      'a1@demo.test',
      'a2@demo.test',
      'b1@demo.test',
      'b2@demo.test',
    ]) {
      const user = await api.user(email);
      const viewer = user.viewer;
      const listed = (await (await api.as(email)).queue.list()).items.map((c) => c.assignmentId).sort();
      const rows = await api.database.db.sessionAssignment.findMany({ include: { session: true } });
      const expected = rows
        .filter(
          (r) =>
            (r.status === 'queued' || r.status === 'offered') &&
            canView(viewer, {
              status: r.status,
              customerId: r.session.customerId,
              mechanicId: r.mechanicId,
              sessionType: r.session.type,
              workshopId: r.session.workshopId,
            }),
        )
        .map((r) => r.id)
        .sort();
      expect(listed).toEqual(expected);
      expect(all.length).toBeGreaterThanOrEqual(listed.length);
    }

    const events = await api.hub.readAfter(0n, 10_000);
    for (const email of ['virtual@demo.test', 'a1@demo.test', 'b2@demo.test']) {
      const viewer = (await api.user(email)).viewer;
      for (const event of events) {
        const projected = projectForStaff(viewer, event, 'broadcast');
        expect(projected?.kind === 'upsert').toBe(canView(viewer, event.data.after));
      }
    }
  });

  it('lists urgent first, then oldest', async () => {
    const a1 = await api.as('a1@demo.test');
    const items = (await a1.queue.list()).items;
    const keys = items.map((c) => [c.urgent ? 0 : 1, c.queuedAt ?? ''] as const);
    const sorted = [...keys].sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1]));
    expect(keys).toEqual(sorted);
  });
});
