// Issue #11: queue.list pages with nextCursor. 520 visible queued requests: the first page has
// QUEUE_PAGE_SIZE (500) and a cursor, the second the rest and no cursor; together exactly the
// visible set, once each, in queue order.
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_PAGE_SIZE } from '../src/queries/queue.ts';
import { createTestApi, idempotencyKey, intake, type TestApi } from './harness.ts';

let api: TestApi;
let workshopA: string;
let workshopB: string;
const VISIBLE = 520;
let bookingMs = 0;

beforeAll(async () => {
  api = await createTestApi();
  const workshops = await api.database.db.workshop.findMany();
  workshopA = workshops.find((w) => w.name.startsWith('Northside'))?.id ?? '';
  workshopB = workshops.find((w) => w.name.startsWith('Harbor'))?.id ?? '';
  const customers = [await api.as('customer1@demo.test'), await api.as('customer2@demo.test')];
  const shapes = [
    { sessionType: 'chat' as const },
    { sessionType: 'video' as const, urgent: true },
    { sessionType: 'in_person' as const, workshopId: workshopA },
    { sessionType: 'in_person' as const, workshopId: null },
  ];
  const started = Date.now();
  const bookings = [
    ...Array.from({ length: VISIBLE }, (_, i) => shapes[i % shapes.length]),
    // Hidden from a workshop-A mechanic: in person at workshop B.
    ...Array.from({ length: 15 }, () => ({ sessionType: 'in_person' as const, workshopId: workshopB })),
  ];
  for (let i = 0; i < bookings.length; i += 10) {
    // Each batch a millisecond later: ties inside a batch (ordered by id), order across batches.
    api.clock.now = new Date(started + i);
    await Promise.all(
      bookings.slice(i, i + 10).map((shape, j) =>
        customers[(i + j) % 2]?.session.create({
          intake: intake(shape),
          idempotencyKey: idempotencyKey(),
          allowAnotherOpen: true,
        }),
      ),
    );
  }
  bookingMs = Date.now() - started;
  console.info(`queue paging: booked ${bookings.length} requests through session.create in ${bookingMs} ms`);
}, 120_000);
afterAll(() => api?.close());

/** What the queue should show a workshop-A mechanic, from the tables. */
async function visibleToA(): Promise<string[]> {
  const rows = await api.database.db.$queryRaw<{ id: string }[]>`
    SELECT a.id::text AS id FROM session_assignments a JOIN sessions s ON s.id = a.session_id
    WHERE a.status = 'queued' AND (s.workshop_id IS NULL OR s.workshop_id = ${workshopA}::uuid)
    ORDER BY a.urgent DESC, a.queued_at ASC, a.created_at ASC, a.id ASC`;
  return rows.map((r) => r.id);
}

async function allPages(email: string) {
  const caller = await api.as(email);
  const pages = [await caller.queue.list()];
  for (let cursor = pages[0]?.nextCursor; cursor; cursor = pages.at(-1)?.nextCursor) {
    pages.push(await caller.queue.list({ cursor }));
    if (pages.length > 10) throw new Error('paging does not end');
  }
  return pages;
}

describe('queue.list paging', () => {
  it('QUEUE_PAGE_SIZE is 500', () => {
    expect(QUEUE_PAGE_SIZE).toBe(500);
  });

  it('520 visible: 500 and a cursor, then the rest and none; exactly the visible set, in order', async () => {
    const expected = await visibleToA();
    expect(expected).toHaveLength(VISIBLE);
    const pages = await allPages('a1@demo.test');
    expect(pages).toHaveLength(2);
    const [first, second] = pages;
    expect(first?.items).toHaveLength(500);
    expect(first?.nextCursor).toBe(first?.items.at(-1)?.assignmentId);
    expect(second?.items).toHaveLength(VISIBLE - 500);
    expect(second?.nextCursor).toBeNull();
    expect(second?.mine).toEqual([]);
    const ids = pages.flatMap((p) => p.items.map((c) => c.assignmentId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected);
    // Urgent first across the page boundary.
    const urgent = pages.flatMap((p) => p.items.map((c) => c.urgent));
    expect(urgent.indexOf(false)).toBe(urgent.lastIndexOf(true) + 1);
    expect(pages.flatMap((p) => p.items).every((c) => c.workshop?.id !== workshopB)).toBe(true);
  });

  it('admins page through every open request the same way', async () => {
    const open = await api.database.db.sessionAssignment.count({
      where: { status: { notIn: ['completed', 'cancelled'] } },
    });
    const pages = await allPages('admin@demo.test');
    const ids = pages.flatMap((p) => p.items.map((c) => c.assignmentId));
    expect(pages[0]?.items).toHaveLength(500);
    expect(pages.at(-1)?.nextCursor).toBeNull();
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(open);
  });

  it('a malformed cursor is a BAD_REQUEST', async () => {
    const a1 = await api.as('a1@demo.test');
    const error = await a1.queue.list({ cursor: 'not-a-uuid' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('BAD_REQUEST');
  });

  it('a request taken between pages (the cursor row itself) loses nobody else from the next page', async () => {
    const a1 = await api.as('a1@demo.test');
    const first = await a1.queue.list();
    const cursor = first.nextCursor;
    expect(cursor).not.toBeNull();
    const expectedRest = (await visibleToA()).slice(500);
    // Another mechanic takes the last card of the first page: the cursor's own row leaves the queue.
    await (await api.as('a2@demo.test')).assignment.accept({ assignmentId: cursor ?? '' });
    const second = await a1.queue.list({ cursor });
    expect(second.items.map((c) => c.assignmentId)).toEqual(expectedRest);
  });
});
