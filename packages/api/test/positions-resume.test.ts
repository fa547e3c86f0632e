// Issue #11 item 3, as a client sees it: every lastEventId either resumes exactly, signals a resync,
// or is refused at once as a bad request. Compared against the positions in the event table.
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, idempotencyKey, intake, type TestApi } from './harness.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
  // Some history to resume into: six bookings, one accepted.
  for (let i = 0; i < 6; i += 1) await book();
  await api.hub.catchUp();
});
afterAll(() => api?.close());

type Tracked = [id: string, data: { kind: string; card?: { assignmentId: string } }];

async function book() {
  const customer = await api.as('customer1@demo.test');
  return customer.session.create({
    intake: intake(),
    idempotencyKey: idempotencyKey(),
    allowAnotherOpen: true,
  });
}

/** Positions after `after` in the table; for the session stream only customer1's own events. */
async function tablePositions(after = 0n, stream: Stream = 'queue'): Promise<string[]> {
  const customer = stream === 'session' ? (await api.user('customer1@demo.test')).id : null;
  const rows = await api.database.db.$queryRaw<{ position: string }[]>`
    SELECT position::text AS position FROM assignment_events WHERE position > ${after.toString()}::bigint
      AND (${customer}::text IS NULL OR data->'after'->>'customerId' = ${customer}::text)
    ORDER BY assignment_events.position`;
  return rows.map((r) => r.position);
}

async function head(): Promise<bigint> {
  const rows = await api.database.db.$queryRaw<{ head: string }[]>`
    SELECT coalesce(max(position), 0)::text AS head FROM assignment_events`;
  return BigInt(rows[0]?.head ?? '0');
}

/** Pulls from a stream one item at a time, each with its own deadline; 'timeout' when none came. */
function puller(iterable: AsyncIterable<unknown>) {
  const iterator = iterable[Symbol.asyncIterator]();
  return {
    async next(timeoutMs = 5000): Promise<Tracked | 'timeout'> {
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        iterator.next(),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (result === 'timeout') return 'timeout';
      if (result.done) throw new Error('stream ended');
      return result.value as Tracked;
    },
    /** Items until `count` came or `quietMs` passed without one. */
    async take(count: number, quietMs = 5000): Promise<Tracked[]> {
      const items: Tracked[] = [];
      while (items.length < count) {
        const item = await this.next(quietMs);
        if (item === 'timeout') break;
        items.push(item);
      }
      return items;
    },
    close: () => void iterator.return?.(),
  };
}

type Stream = 'queue' | 'session';

/** queue.onChange as the admin (sees every event) or session.onChange as the customer (all theirs). */
async function subscribe(stream: Stream, lastEventId: string) {
  if (stream === 'queue') return (await api.as('admin@demo.test')).queue.onChange({ lastEventId });
  return (await api.as('customer1@demo.test')).session.onChange({ lastEventId });
}

const assignmentOf = (item: Tracked) =>
  (item[1] as { card?: { assignmentId: string }; session?: { assignmentId: string } }).card?.assignmentId ??
  (item[1] as { session?: { assignmentId: string } }).session?.assignmentId;

describe.each<Stream>(['queue', 'session'])('%s.onChange', (stream) => {
  it('a position from the future yields a resync first, then live events', async () => {
    const future = ((await head()) + 1000n).toString();
    const feed = puller(await subscribe(stream, future));
    try {
      const first = await feed.next();
      expect(first).not.toBe('timeout');
      expect((first as Tracked)[1]).toEqual({ kind: 'resync', reason: 'position_unknown' });
      // The resync's id is where the stream goes on from: a real position, not the forged one.
      expect(BigInt((first as Tracked)[0])).toBeLessThanOrEqual(await head());

      const booked = await book();
      const live = await feed.next();
      expect(live).not.toBe('timeout');
      expect(assignmentOf(live as Tracked)).toBe(booked.assignmentId);
      expect((await tablePositions()).at(-1)).toBe((live as Tracked)[0]);
    } finally {
      feed.close();
    }
  });

  it('an older "tx.id" position naming an event resumes with exactly the events after it', async () => {
    const rows = await api.database.db.$queryRaw<{ tx: string; id: string; position: string }[]>`
      SELECT tx_id::text AS tx, id::text AS id, position::text AS position FROM assignment_events
      ORDER BY assignment_events.position`;
    expect(rows.length).toBeGreaterThanOrEqual(6);
    const named = rows[2];
    if (!named) throw new Error('no event to name');
    const expected = await tablePositions(BigInt(named.position), stream);
    expect(expected.length).toBeGreaterThanOrEqual(3);

    const feed = puller(await subscribe(stream, `${named.tx}.${named.id}`));
    try {
      const got = await feed.take(expected.length + 1, 1000);
      expect(got.map(([id]) => id)).toEqual(expected);
      expect(got.every(([, data]) => data.kind !== 'resync')).toBe(true);
    } finally {
      feed.close();
    }
  });

  it('a current position resumes with exactly the events after it', async () => {
    const positions = await tablePositions();
    const from = positions[1];
    if (!from) throw new Error('no history');
    const expected = await tablePositions(BigInt(from), stream);
    const feed = puller(await subscribe(stream, from));
    try {
      const got = await feed.take(expected.length + 1, 1000);
      expect(got.map(([id]) => id)).toEqual(expected);
    } finally {
      feed.close();
    }
  });

  it.each([
    '1001433.1',
    // The largest xid8 with an id: well-formed, names nothing here.
    '18446744073709551615.1',
  ])('an older position naming no event (%s) yields a resync, then live events', async (lastEventId) => {
    const [tx, id] = lastEventId.split('.');
    const named = await api.database.db.$queryRaw<unknown[]>`
      SELECT 1 FROM assignment_events WHERE tx_id::text = ${tx} AND id::text = ${id}`;
    expect(named).toHaveLength(0);

    const feed = puller(await subscribe(stream, lastEventId));
    try {
      const first = await feed.next();
      expect(first).not.toBe('timeout');
      expect((first as Tracked)[1]).toEqual({ kind: 'resync', reason: 'position_unknown' });
      const booked = await book();
      const live = await feed.next();
      expect(live).not.toBe('timeout');
      expect(assignmentOf(live as Tracked)).toBe(booked.assignmentId);
    } finally {
      feed.close();
    }
  });

  it.each([
    '18446744073709551616.1',
    '99999999999999999999.99999999999999999999',
    '1.9223372036854775808',
    '9223372036854775808',
    'abc',
    '1\u0000',
    '-1',
    '1.2.3',
    ' 1',
  ])('an out-of-range or malformed position (%j) is a BAD_REQUEST at once', async (lastEventId) => {
    const started = Date.now();
    const attempt = (async () => {
      const iterable = await subscribe(stream, lastEventId);
      // If the call itself did not refuse, the stream must fail on its first pull.
      const iterator = iterable[Symbol.asyncIterator]();
      try {
        await iterator.next();
      } finally {
        void iterator.return?.();
      }
    })();
    const error = await Promise.race([
      attempt.then(
        () => 'resolved' as const,
        (e: unknown) => e,
      ),
      new Promise<'slow'>((resolve) => setTimeout(() => resolve('slow'), 2000)),
    ]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('BAD_REQUEST');
    expect((error as TRPCError).code).not.toBe('INTERNAL_SERVER_ERROR');
  });
});
