// A process delivers the events it commits itself without waiting for NOTIFY and a read of the
// table (log/committed.ts, EventHub.committed): the same events, in the same order, once, with
// the same bytes as a read gives, and never one whose predecessors this process has not read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onCommittedEvents } from '../src/log/committed.ts';
import { EventHub } from '../src/log/hub.ts';
import type { EventRow, StoredEvent } from '../src/log/stored-event.ts';
import { createTestApi, idempotencyKey, intake, log, type TestApi } from './harness.ts';

let api: TestApi;
/** A second process on the same database: it learns of every event by NOTIFY and a read. */
let other: EventHub;
const local: StoredEvent[] = [];
const read: StoredEvent[] = [];

beforeAll(async () => {
  api = await createTestApi();
  onCommittedEvents(api.services.db, (row) => api.hub.committed(row));
  other = new EventHub({ connectionString: api.database.url, log, pollIntervalMs: 50 });
  await other.start();
  api.hub.onEvents((events) => local.push(...events));
  other.onEvents((events) => read.push(...events));
});
afterAll(async () => {
  await other?.stop();
  await api?.close();
});

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** The newest event as a row of the table, to hand the hub as if this process had just committed it. */
async function latestEventRow(): Promise<EventRow> {
  const [row] = await api.database.db.$queryRaw<EventRow[]>`
    SELECT position::text AS position, assignment_id::text, session_id::text, type, from_status::text,
           to_status::text, actor_kind, actor_id::text, reason, request_id, data, created_at
      FROM assignment_events ORDER BY position DESC LIMIT 1`;
  if (!row) throw new Error('no event yet');
  return row;
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

describe('events this process commits', () => {
  it('are delivered here on the next turn of the event loop, before any NOTIFY and read could be', async () => {
    await settle();
    const customer = await api.as('customer1@demo.test');
    const booked = await customer.session.create({ intake: intake(), idempotencyKey: idempotencyKey() });
    await nextTurn();
    // A read would need the notification and a query's round trip: more than one turn.
    const position = api.hub.head;
    expect(local.at(-1)?.sessionId).toBe(booked.sessionId);
    expect(local.at(-1)?.type).toBe('create');

    const mechanic = await api.as('virtual@demo.test');
    await mechanic.assignment.accept({ assignmentId: booked.assignmentId });
    await nextTurn();
    expect(api.hub.head).toBeGreaterThan(position);
    expect(local.at(-1)?.type).toBe('accept');
  });

  it('are the same events, in order, once, with the same payload bytes as another process reads', async () => {
    const customer = await api.as('customer2@demo.test');
    const mechanic = await api.as('virtual@demo.test');
    const from = api.hub.head;
    // Bookings and accepts from two callers at once, so local appends and reads interleave.
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        const booked = await customer.session.create({
          intake: intake(),
          idempotencyKey: idempotencyKey(),
          allowAnotherOpen: true,
        });
        await mechanic.assignment.accept({ assignmentId: booked.assignmentId });
      }),
    );
    await settle();
    const mine = local.filter((event) => event.position > from);
    const theirs = read.filter((event) => event.position > from);
    const positions = mine.map((event) => event.position);
    expect(positions).toHaveLength(24);
    expect(new Set(positions).size).toBe(24);
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    expect(theirs.map((event) => event.position)).toEqual(positions);
    // What subscribers receive is built from these: identical JSON, identical fields.
    for (const [i, event] of mine.entries()) {
      const twin = theirs[i] as StoredEvent;
      expect(JSON.stringify(event.upsert)).toBe(JSON.stringify(twin.upsert));
      expect(JSON.stringify(event.summary)).toBe(JSON.stringify(twin.summary));
      expect({ ...event, upsert: null, summary: null, latencyObserved: false }).toEqual({
        ...twin,
        upsert: null,
        summary: null,
        latencyObserved: false,
      });
    }
  });

  it('a position past the next one is not appended: the reader reads what lies between', async () => {
    await settle();
    const head = api.hub.head;
    const count = local.length;
    const row = await latestEventRow();
    // As if this process had committed head + 5 while positions in between were not read yet.
    api.hub.committed({ ...row, position: (head + 5n).toString() });
    await nextTurn();
    await settle();
    expect(api.hub.head).toBe(head);
    expect(local).toHaveLength(count);
  });

  it('a returned row that cannot be built is read from the table instead of being thrown out of a timer', async () => {
    await settle();
    const head = api.hub.head;
    const count = local.length;
    const row = await latestEventRow();
    api.hub.committed({
      ...row,
      position: (head + 1n).toString(),
      data: null as never,
    });
    await nextTurn();
    await settle();
    // Nothing appended, nothing thrown (an uncaught exception fails this run), and the hub still
    // delivers the next real event.
    expect(api.hub.head).toBe(head);
    expect(local).toHaveLength(count);
    const customer = await api.as('customer1@demo.test');
    const booked = await customer.session.create({
      intake: intake(),
      idempotencyKey: idempotencyKey(),
      allowAnotherOpen: true,
    });
    await settle();
    expect(local.at(-1)?.sessionId).toBe(booked.sessionId);
  });
});
