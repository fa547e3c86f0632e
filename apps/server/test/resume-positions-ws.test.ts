// Issue #11 item 3 over a real WebSocket: lastEventId from the future or naming no event gives a
// resync then live events; an older "tx.id" naming an event resumes exactly; out-of-range or
// malformed ids are a BAD_REQUEST at once and the socket stays up.
import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '@dispatch/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RunningServer } from '../src/server.ts';
import { freshDatabase, intake, logIn, start } from './harness.ts';

let database: TestDatabase;
let server: RunningServer;
let customer = '';
let admin = '';

interface Message {
  id?: number;
  /** A tracked event: its position as `data.id`, the payload as `data.data`. */
  result?: { type: string; data?: { id: string; data: { kind: string; card?: { assignmentId: string } } } };
  error?: { message: string; data?: { code?: string } };
}

beforeAll(async () => {
  database = await freshDatabase();
  server = await start(database);
  customer = (await logIn(server, 'customer1@demo.test')).cookie;
  admin = (await logIn(server, 'admin@demo.test')).cookie;
  for (let i = 0; i < 5; i += 1) await book();
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

async function book(): Promise<string> {
  const res = await fetch(`${server.url}/trpc/session.create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: customer },
    body: JSON.stringify({ intake, idempotencyKey: `ws_${randomUUID()}`, allowAnotherOpen: true }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { result: { data: { assignmentId: string } } }).result.data.assignmentId;
}

async function socket(cookie: string) {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/trpc`, { headers: { cookie } });
  const messages: Message[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let next = 0;
  return {
    ws,
    messages,
    subscribe(path: string, input: unknown): number {
      next += 1;
      ws.send(JSON.stringify({ id: next, method: 'subscription', params: { path, input } }));
      return next;
    },
    data: (id: number) => messages.filter((m) => m.id === id && m.result?.type === 'data'),
  };
}

const positions = async (after = 0n) =>
  (
    await database.db.$queryRaw<{ p: string }[]>`
      SELECT position::text AS p FROM assignment_events WHERE position > ${after.toString()}::bigint
      ORDER BY assignment_events.position`
  ).map((r) => r.p);

describe('resume positions over WebSocket', () => {
  it('from the future, and an older position naming no event: resync first, then live events', async () => {
    const s = await socket(admin);
    try {
      const head = BigInt((await positions()).at(-1) ?? '0');
      const future = s.subscribe('queue.onChange', { lastEventId: (head + 1000n).toString() });
      const unknown = s.subscribe('queue.onChange', { lastEventId: '1001433.1' });
      await expect.poll(() => s.data(future).length + s.data(unknown).length, { timeout: 5000 }).toBe(2);
      for (const id of [future, unknown]) {
        expect(s.data(id)[0]?.result?.data?.data).toEqual({ kind: 'resync', reason: 'position_unknown' });
      }
      const assignmentId = await book();
      await expect.poll(() => s.data(future).length + s.data(unknown).length, { timeout: 5000 }).toBe(4);
      for (const id of [future, unknown]) {
        const live = s.data(id)[1]?.result?.data;
        expect(live?.data.card?.assignmentId).toBe(assignmentId);
        expect(live?.id).toBe((await positions()).at(-1));
      }
    } finally {
      s.ws.close();
    }
  });

  it('an older "tx.id" naming an event resumes with exactly the events after it', async () => {
    const rows = await database.db.$queryRaw<{ tx: string; id: string; p: string }[]>`
      SELECT tx_id::text AS tx, id::text AS id, position::text AS p FROM assignment_events
      ORDER BY assignment_events.position`;
    const named = rows[1];
    if (!named) throw new Error('no history');
    const expected = await positions(BigInt(named.p));
    const s = await socket(admin);
    try {
      const sub = s.subscribe('queue.onChange', { lastEventId: `${named.tx}.${named.id}` });
      await expect.poll(() => s.data(sub).length, { timeout: 5000 }).toBe(expected.length);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(s.data(sub).map((m) => m.result?.data?.id)).toEqual(expected);
    } finally {
      s.ws.close();
    }
  });

  it('out-of-range and malformed ids: BAD_REQUEST within 2 s each, never a server error', async () => {
    const bad = [
      '18446744073709551616.1',
      '99999999999999999999.99999999999999999999',
      '1.9223372036854775808',
      '9223372036854775808',
      'abc',
      '1\u0000',
    ];
    const s = await socket(customer);
    try {
      const started = Date.now();
      const ids = bad.flatMap((lastEventId) => [
        s.subscribe('queue.onChange', { lastEventId }),
        s.subscribe('session.onChange', { lastEventId }),
      ]);
      await expect
        .poll(() => ids.filter((id) => s.messages.some((m) => m.id === id && m.error)).length, {
          timeout: 2000,
        })
        .toBe(ids.length);
      expect(Date.now() - started).toBeLessThan(2000);
      for (const id of ids) {
        const error = s.messages.find((m) => m.id === id && m.error)?.error;
        // queue.onChange is staff-only: a customer may be refused for that first; never a 500.
        expect(error?.data?.code).not.toBe('INTERNAL_SERVER_ERROR');
        if (id % 2 === 0) expect(error?.data?.code).toBe('BAD_REQUEST');
        expect(JSON.stringify(error)).not.toMatch(/\/work\/|node_modules|\.ts:\d|prisma|at \w+ \(/i);
      }
      expect(s.ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      s.ws.close();
    }
    // And as staff, queue.onChange refuses them as bad requests too.
    const staff = await socket(admin);
    try {
      const ids = bad.map((lastEventId) => staff.subscribe('queue.onChange', { lastEventId }));
      await expect
        .poll(() => ids.filter((id) => staff.messages.some((m) => m.id === id && m.error)).length, {
          timeout: 2000,
        })
        .toBe(ids.length);
      for (const id of ids) {
        expect(staff.messages.find((m) => m.id === id && m.error)?.error?.data?.code).toBe('BAD_REQUEST');
      }
    } finally {
      staff.ws.close();
    }
  });
});
