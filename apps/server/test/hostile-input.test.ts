import { appRouter } from '@dispatch/api';
import type { TestDatabase } from '@dispatch/db/testing';
import { callSignalSchema } from '@dispatch/domain';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_BODY_BYTES, type RunningServer } from '../src/server.ts';
import { freshDatabase, logIn, start } from './harness.ts';

let database: TestDatabase;
let server: RunningServer;
const cookies: Record<string, string> = {};
const tally = { cases: 0, statuses: new Map<number, number>() };

beforeAll(async () => {
  database = await freshDatabase();
  server = await start(database, {
    RATE_LIMIT_SIGNUP_PER_10_MINUTES: '100000',
    RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
  });
  cookies.anonymous = '';
  for (const [role, email] of [
    ['customer', 'customer1@demo.test'],
    ['mechanic', 'a1@demo.test'],
    ['admin', 'admin@demo.test'],
  ] as const) {
    cookies[role] = (await logIn(server, email)).cookie;
  }
});
afterAll(async () => {
  console.info(
    `hostile input: ${tally.cases} cases, statuses ${JSON.stringify(Object.fromEntries(tally.statuses))}, 0 server errors`,
  );
  await server?.close();
  await database?.drop();
});

/** Row counts of every table a procedure can write: a bad input must leave all of them as they were. */
async function snapshot(): Promise<string> {
  const rows = await database.db.$queryRaw<{ t: string; n: bigint }[]>`
    SELECT 'users' AS t, count(*) AS n FROM users UNION ALL SELECT 'sessions', count(*) FROM sessions
    UNION ALL SELECT 'assignments', count(*) FROM session_assignments UNION ALL SELECT 'waivers', count(*) FROM waivers
    UNION ALL SELECT 'events', count(*) FROM assignment_events
    UNION ALL SELECT 'versions', coalesce(sum(version), 0) FROM session_assignments
    UNION ALL SELECT 'ratings', count(*) FROM session_ratings
    UNION ALL SELECT 'mechanics', count(*) FROM mechanics WHERE availability <> 'offline'
    UNION ALL SELECT 'room_messages', count(*) FROM room_messages UNION ALL SELECT 'room_photos', count(*) FROM room_photos
    UNION ALL SELECT 'room_reads', count(*) FROM room_reads
    UNION ALL SELECT 'call_signals', count(*) FROM call_signals`;
  return rows.map((r) => `${r.t}=${r.n}`).join(',');
}

async function call(path: string, type: 'query' | 'mutation', input: unknown, cookie: string) {
  const encoded = encodeURIComponent(JSON.stringify(input) ?? 'null');
  const res =
    type === 'query'
      ? await fetch(`${server.url}/trpc/${path}?input=${encoded}`, { headers: { cookie } })
      : await fetch(`${server.url}/trpc/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify(input) ?? 'null',
        });
  await res.arrayBuffer();
  tally.cases += 1;
  tally.statuses.set(res.status, (tally.statuses.get(res.status) ?? 0) + 1);
  return res.status;
}

const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { type: string; inputs: unknown[] } }>,
)
  .filter(([, p]) => p._def.inputs.length > 0 && p._def.type !== 'subscription')
  .map(([path, p]) => ({ path, type: p._def.type as 'query' | 'mutation' }));

const FIELD_NAMES = [
  'sessionId',
  'assignmentId',
  'intake',
  'idempotencyKey',
  'email',
  'password',
  'displayName',
  'reason',
  'signerName',
  'consent',
  'waiverVersion',
  'availability',
  'lastEventId',
  'customerName',
  'vehicleYear',
  'callbackPhone',
  'outcome',
  'note',
  'findings',
  'stars',
  'comment',
  'items',
  'channel',
  'ageMs',
  'version',
  'clientKey',
  'body',
  'delivered',
  'read',
  'after',
  'limit',
  'attempt',
  'to',
  'signal',
] as const;
const hostileValue = fc.oneof(
  fc.jsonValue(),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '%00',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '../../etc/passwd',
    '9'.repeat(400),
  ),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 1e308, 0.1, -0),
  fc.uuid(),
);
const hostileInput = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(fc.constantFrom(...FIELD_NAMES), hostileValue, { maxKeys: 6 }),
  fc.record({
    intake: fc.dictionary(fc.constantFrom(...FIELD_NAMES), hostileValue),
    idempotencyKey: hostileValue,
  }),
  // receipts.report: a list of hostile receipts (too many, wrong channels, ages, ids).
  fc.record({
    items: fc.array(fc.dictionary(fc.constantFrom(...FIELD_NAMES), hostileValue, { maxKeys: 5 }), {
      maxLength: 120,
    }),
  }),
);

describe('fuzzed inputs to every procedure', () => {
  it.each(procedures)('$path: always a 4xx, never a 500, never a partial write', async ({ path, type }) => {
    for (const role of Object.keys(cookies)) {
      await fc.assert(
        fc.asyncProperty(hostileInput, async (input) => {
          const before = await snapshot();
          const status = await call(path, type, input, cookies[role] ?? '');
          // A query whose inputs are all optional (queue.list's page cursor) may find a fuzzed
          // input valid; it still writes nothing. Every mutation refuses.
          if (type === 'mutation' || status !== 200) {
            expect(status, `${path} as ${role} with ${JSON.stringify(input)}`).toBeGreaterThanOrEqual(400);
          }
          expect(status).toBeLessThan(500);
          expect(await snapshot()).toBe(before);
        }),
        { numRuns: 12 },
      );
    }
  });
});

describe('well-formed ids of things that do not exist', () => {
  const unknown = '00000000-0000-1000-8000-000000000000';
  it.each(procedures)('$path: a 4xx for every role, and nothing written', async ({ path, type }) => {
    for (const role of Object.keys(cookies)) {
      for (const input of [{ sessionId: unknown }, { assignmentId: unknown }]) {
        const before = await snapshot();
        const status = await call(path, type, input, cookies[role] ?? '');
        expect(status, `${path} as ${role} with ${JSON.stringify(input)}`).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
        expect(await snapshot()).toBe(before);
      }
    }
  });
});

describe('video call signals from a call member', () => {
  const attempt = '6f1c2a4e-8d7b-4c3a-9e21-5b6d7c8e9f01';
  let sessionId = '';
  beforeAll(async () => {
    const post = async (path: string, input: unknown, cookie: string) => {
      const res = await fetch(`${server.url}/trpc/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify(input),
      });
      expect(res.status, path).toBe(200);
      return ((await res.json()) as { result: { data: { sessionId: string; assignmentId: string } } }).result
        .data;
    };
    const booked = await post(
      'session.create',
      {
        intake: {
          customerName: 'Ana Ortiz',
          vehicleYear: 2014,
          vehicleMake: 'Honda',
          vehicleModel: 'Civic',
          concern: 'Grinding noise when braking at low speed',
          sessionType: 'video',
          plan: 'paid',
        },
        idempotencyKey: 'hostile-call-session',
        allowAnotherOpen: true,
      },
      cookies.customer ?? '',
    );
    await post('mechanic.setAvailability', { availability: 'available' }, cookies.mechanic ?? '');
    await post('assignment.accept', { assignmentId: booked.assignmentId }, cookies.mechanic ?? '');
    sessionId = booked.sessionId;
  });

  const sdp = (body: string) => ({ kind: 'description', payload: { type: 'offer', sdp: body } });
  const candidate = (fields: Record<string, unknown>) => ({
    kind: 'candidate',
    payload: {
      candidate: 'candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: 'abcd',
      ...fields,
    },
  });
  const HOSTILE_SIGNALS: [string, unknown][] = [
    ['an SDP over 16,000 characters', sdp(`v=0\r\n${'a=x\r\n'.repeat(4000)}`)],
    ['an SDP with NUL', sdp('v=0\r\ns=\u0000\r\n')],
    ['an SDP with a lone surrogate', sdp('v=0\r\ns=\ud800\r\n')],
    ['an SDP with non-ASCII text', sdp('v=0\r\ns=café\r\n')],
    ['text that is not SDP', sdp('<script>alert(1)</script>')],
    ['a description of another type', { kind: 'description', payload: { type: 'rollback', sdp: 'v=0\r\n' } }],
    [
      'a description with an extra field',
      { kind: 'description', payload: { type: 'offer', sdp: 'v=0', x: 1 } },
    ],
    ['a candidate of two lines', candidate({ candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host\r\na=x' })],
    ['a candidate of 2,000 characters', candidate({ candidate: `candidate:${'9'.repeat(2000)}` })],
    ['a negative sdpMLineIndex', candidate({ sdpMLineIndex: -1 })],
    ['a fractional sdpMLineIndex', candidate({ sdpMLineIndex: 0.5 })],
    ['a huge sdpMLineIndex', candidate({ sdpMLineIndex: 1e308 })],
    ['an sdpMLineIndex as text', candidate({ sdpMLineIndex: '0' })],
    ['an sdpMid with spaces', candidate({ sdpMid: 'a b' })],
    ['a candidate without its fields', { kind: 'candidate', payload: { candidate: 'candidate:1' } }],
    ['the server-only join', { kind: 'join', payload: {} }],
    ['the server-only ended', { kind: 'ended', payload: {} }],
    ['a leave that claims to be a drop', { kind: 'leave', payload: { reason: 'dropped' } }],
    ['an unknown kind', { kind: 'teleport', payload: {} }],
    ['a payload that is an array', { kind: 'here', payload: [] }],
    ['here with extra fields', { kind: 'here', payload: { sdp: 'v=0' } }],
    ['no signal at all', undefined],
  ];

  it.each(HOSTILE_SIGNALS)('refuses %s with 400 and stores nothing', async (_label, signal) => {
    const before = await snapshot();
    const status = await call(
      'videoCall.signal',
      'mutation',
      { sessionId, attempt, to: null, signal },
      cookies.customer ?? '',
    );
    expect(status).toBe(400);
    expect(await snapshot()).toBe(before);
  });

  it('refuses bad attempt ids, and a stranger is told nothing; a well-formed signal is stored', async () => {
    const here = { kind: 'here', payload: {} };
    for (const bad of ['', 'x', '../../etc/passwd', "' OR 1=1 --", 42, null]) {
      const before = await snapshot();
      expect(
        await call(
          'videoCall.signal',
          'mutation',
          { sessionId, attempt: bad, to: null, signal: here },
          cookies.customer ?? '',
        ),
      ).toBe(400);
      // `to: null` means "any tab of the peer"; every other non-UUID is refused.
      expect(
        await call(
          'videoCall.signal',
          'mutation',
          { sessionId, attempt, to: bad ?? 'null', signal: here },
          cookies.customer ?? '',
        ),
      ).toBe(400);
      expect(await snapshot()).toBe(before);
    }
    // The admin may see the session, but is no member of its call: 404 like an unknown session.
    const before = await snapshot();
    expect(
      await call(
        'videoCall.signal',
        'mutation',
        { sessionId, attempt, to: null, signal: here },
        cookies.admin ?? '',
      ),
    ).toBe(404);
    expect(await call('videoCall.config', 'query', { sessionId }, cookies.admin ?? '')).toBe(404);
    expect(await snapshot()).toBe(before);
    // The same call from a member goes through: the refusals above were about the input.
    expect(
      await call(
        'videoCall.signal',
        'mutation',
        { sessionId, attempt, to: null, signal: here },
        cookies.customer ?? '',
      ),
    ).toBe(200);
    expect(await snapshot()).not.toBe(before);
  });

  it('fuzzed signals from a member: always a 4xx, nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .oneof(
            hostileValue,
            fc.record({
              kind: fc.constantFrom('here', 'description', 'candidate', 'leave'),
              payload: hostileValue,
            }),
            fc.record({
              kind: fc.constant('candidate'),
              payload: fc.dictionary(
                fc.constantFrom('candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment', 'x'),
                hostileValue,
              ),
            }),
            // A fuzzed value that happens to be a valid signal ({ kind: 'here', payload: {} }) is not hostile.
          )
          .filter((signal) => !callSignalSchema.safeParse(signal).success),
        async (signal) => {
          const before = await snapshot();
          const status = await call(
            'videoCall.signal',
            'mutation',
            { sessionId, attempt, to: null, signal },
            cookies.customer ?? '',
          );
          expect(status, JSON.stringify(signal)).toBeGreaterThanOrEqual(400);
          expect(status).toBeLessThan(500);
          expect(await snapshot()).toBe(before);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('malformed requests', () => {
  it('answers oversized bodies, malformed JSON and unknown procedures with 4xx', async () => {
    const post = (path: string, body: string) =>
      fetch(`${server.url}/trpc/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: cookies.customer ?? '' },
        body,
      });
    const big = await post(
      'session.create',
      JSON.stringify({ intake: { concern: 'x'.repeat(MAX_BODY_BYTES * 2) } }),
    );
    expect(big.status).toBe(413);
    expect((await post('session.create', '{"intake": ')).status).toBe(400);
    expect((await post('session.teleport', '{}')).status).toBe(404);
    expect(
      (
        await fetch(`${server.url}/trpc/session.get?input=%7Bnot-json`, {
          headers: { cookie: cookies.customer ?? '' },
        })
      ).status,
    ).toBe(400);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('answers junk room-photo requests with 4xx and writes nothing', async () => {
    const before = await snapshot();
    const junk = [
      '',
      'sessionId=../../etc/passwd',
      `sessionId=${'9'.repeat(400)}&clientKey=%00`,
      'sessionId[]=1',
    ];
    for (const [i, query] of junk.entries()) {
      for (const cookie of Object.values(cookies)) {
        const res = await fetch(`${server.url}/room-photos?${query}`, {
          method: 'POST',
          headers: { cookie, 'content-type': i % 2 ? 'image/png' : 'text/html' },
          body: i % 2 ? new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) : '<script>',
        });
        const text = await res.text();
        expect(res.status, text).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(text).not.toMatch(/\/work\/|node_modules|prisma/i);
        tally.cases += 1;
      }
    }
    for (const path of [
      '/room-photos/..%2F..%2Fetc',
      '/room-photos/%00',
      `/room-photos/${'a'.repeat(500)}`,
    ]) {
      const res = await fetch(`${server.url}${path}`, { headers: { cookie: cookies.customer ?? '' } });
      expect(res.status).toBe(404);
      tally.cases += 1;
    }
    expect(await snapshot()).toBe(before);
  });

  it('keeps the socket and the server up through bad lastEventIds and junk frames, and closes on oversized frames', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/trpc`, {
      headers: { cookie: cookies.mechanic ?? '' },
    });
    const messages: { id?: number; error?: { data?: { code?: string } } }[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve) => ws.once('open', resolve));
    const badIds = ['', 'x', '1.', '-1.-1', '1.2.3', `${'9'.repeat(30)}.1`, '1e5.1', ' 1.1'];
    badIds.forEach((lastEventId, i) => {
      ws.send(
        JSON.stringify({
          id: i + 1,
          method: 'subscription',
          params: { path: 'queue.onChange', input: { lastEventId } },
        }),
      );
    });
    // The room stream: a bad lastEventId or session id is refused the same way.
    const roomIds = [
      { sessionId: 'x' },
      { sessionId: '00000000-0000-1000-8000-000000000000', lastEventId: '1e5' },
    ];
    roomIds.forEach((input, i) => {
      ws.send(
        JSON.stringify({ id: 50 + i, method: 'subscription', params: { path: 'room.onMessage', input } }),
      );
    });
    ws.send('{this is not json');
    ws.send(JSON.stringify({ id: 99, method: 'subscription', params: { path: 'no.such.path', input: {} } }));
    await expect
      .poll(() => messages.filter((m) => m.error).length, { timeout: 5000 })
      .toBeGreaterThanOrEqual(badIds.length + 1);
    for (const i of badIds.keys()) {
      expect(messages.find((m) => m.id === i + 1)?.error?.data?.code).toBe('BAD_REQUEST');
    }
    await expect.poll(() => messages.filter((m) => (m.id === 50 || m.id === 51) && m.error).length).toBe(2);
    expect(messages.find((m) => m.id === 50)?.error?.data?.code).toBe('BAD_REQUEST');
    expect(['BAD_REQUEST', 'NOT_FOUND']).toContain(messages.find((m) => m.id === 51)?.error?.data?.code);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    tally.cases += badIds.length + 2;

    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('x'.repeat(MAX_BODY_BYTES + 1));
    expect(await closed).toBe(1009);
    tally.cases += 1;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});
