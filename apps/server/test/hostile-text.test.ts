// Issue #11 item 3 (hostile text), over HTTP with raw JSON bodies: NUL, a lone surrogate and ESC in
// every text field a person types are a 400 with a readable sentence, and nothing is written. No
// error body ever carries a path, a source line, a stack or the ORM's text; an unexpected failure
// is one sentence with the request id.
import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '@dispatch/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.ts';
import { freshDatabase, intake, logIn, start } from './harness.ts';

let database: TestDatabase;
let server: RunningServer;
let customer = '';
let admin = '';
let pendingWaiver: string;
let open: string;
let room: string;
let waiverVersion: string;
/** Accepted, to complete: a chat (by a2) and a diagnostic one (by a1). */
let chatAccepted: string;
let diagnosticAccepted: string;
/** Completed by b1, to rate. */
let completed: string;
const mechanics: Record<string, string> = {};
const bodies: string[] = [];

/** Internal detail that must never reach a client. */
const LEAK = /\/work\/|node_modules|\.ts:\d|prisma|at \w+ \(/i;

beforeAll(async () => {
  database = await freshDatabase();
  server = await start(database, {
    RATE_LIMIT_SIGNUP_PER_10_MINUTES: '100000',
    RATE_LIMIT_BOOKINGS_PER_MINUTE: '100000',
  });
  customer = (await logIn(server, 'customer1@demo.test')).cookie;
  admin = (await logIn(server, 'admin@demo.test')).cookie;
  const free = await post(
    'session.create',
    json({ intake: { ...intake, plan: 'free' }, idempotencyKey: key() }),
  );
  expect(free.status).toBe(200);
  pendingWaiver = free.body.result.data.sessionId;
  const paid = await post('session.create', json({ intake, idempotencyKey: key(), allowAnotherOpen: true }));
  expect(paid.status).toBe(200);
  open = paid.body.result.data.sessionId;
  // A session in progress: its room takes messages.
  const chat = await post('session.create', json({ intake, idempotencyKey: key(), allowAnotherOpen: true }));
  const mechanic = (await logIn(server, 'virtual@demo.test')).cookie;
  const accepted = await post(
    'assignment.accept',
    json({ assignmentId: chat.body.result.data.assignmentId }),
    mechanic,
  );
  expect(accepted.status, accepted.text).toBe(200);
  room = chat.body.result.data.sessionId;
  const waiver = (await (await fetch(`${server.url}/trpc/waiver.current`)).json()) as {
    result: { data: { version: string } };
  };
  waiverVersion = waiver.result.data.version;
  for (const email of ['a1@demo.test', 'a2@demo.test', 'b1@demo.test'])
    mechanics[email] = (await logIn(server, email)).cookie;
  const bookAccepted = async (sessionType: string, mechanic: string) => {
    const booked = await post(
      'session.create',
      json({ intake: { ...intake, sessionType }, idempotencyKey: key(), allowAnotherOpen: true }),
    );
    expect(booked.status, booked.text).toBe(200);
    const assignmentId: string = booked.body.result.data.assignmentId;
    const accepted = await post('assignment.accept', json({ assignmentId }), mechanics[mechanic]);
    expect(accepted.status, accepted.text).toBe(200);
    return { assignmentId, sessionId: booked.body.result.data.sessionId as string };
  };
  chatAccepted = (await bookAccepted('chat', 'a2@demo.test')).assignmentId;
  diagnosticAccepted = (await bookAccepted('diagnostic', 'a1@demo.test')).assignmentId;
  const toRate = await bookAccepted('video', 'b1@demo.test');
  const done = await post(
    'assignment.complete',
    json({ assignmentId: toRate.assignmentId, outcome: 'resolved', note: 'Reset the light together.' }),
    mechanics['b1@demo.test'],
  );
  expect(done.status, done.text).toBe(200);
  completed = toRate.sessionId;
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

const key = () => `hostile_${randomUUID()}`;
const json = (value: unknown) => JSON.stringify(value);

interface Answer {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body, inspected field by field.
  body: any;
  requestId: string | null;
}

/** Posts raw bytes, as a hostile client would; every answer is kept for the leak check. */
async function post(path: string, body: string, cookie = customer, base = server.url): Promise<Answer> {
  const res = await fetch(`${base}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body,
  });
  const text = await res.text();
  bodies.push(text);
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, text, body: parsed, requestId: res.headers.get('x-request-id') };
}

/** Row counts of every table these procedures write. */
async function counts(db = database.db): Promise<string> {
  const rows = await db.$queryRaw<{ t: string; n: bigint }[]>`
    SELECT 'users' AS t, count(*) AS n FROM users UNION ALL SELECT 'sessions', count(*) FROM sessions
    UNION ALL SELECT 'assignments', count(*) FROM session_assignments UNION ALL SELECT 'waivers', count(*) FROM waivers
    UNION ALL SELECT 'events', count(*) FROM assignment_events UNION ALL SELECT 'auth', count(*) FROM auth_sessions
    UNION ALL SELECT 'ratings', count(*) FROM session_ratings
    UNION ALL SELECT 'outcomes', count(*) FROM sessions WHERE outcome IS NOT NULL
    UNION ALL SELECT 'versions', coalesce(sum(version), 0) FROM session_assignments
    UNION ALL SELECT 'room_messages', count(*) FROM room_messages`;
  return rows.map((r) => `${r.t}=${r.n}`).join(',');
}

/**
 * Each hostile character as it must appear in the request's bytes: NUL and ESC as JSON escapes,
 * the lone surrogate as the escape `\uD83D` (a UTF-8 encoder would turn the raw half into U+FFFD
 * before it ever left the client).
 */
const HOSTILE = [
  ['NUL', '\\u0000'],
  ['lone surrogate', '\\uD83D'],
  ['ESC', '\\u001b'],
] as const;
const MARK = '@@HOSTILE@@';

/** A valid value with the mark inside it; the mark becomes the escape in the raw body. */
const withMark = (value: string) => `${value.slice(0, 2)}${MARK}${value.slice(2)}`;
const raw = (template: unknown, jsonEscape: string) => json(template).replaceAll(MARK, jsonEscape);

interface Case {
  procedure: string;
  field: string;
  cookie: () => string;
  body: () => unknown;
}

const intakeCase = (field: 'customerName' | 'vehicleMake' | 'vehicleModel' | 'concern'): Case => ({
  procedure: 'session.create',
  field: `intake.${field}`,
  cookie: () => customer,
  body: () => ({
    intake: { ...intake, [field]: withMark(intake[field]) },
    idempotencyKey: key(),
    allowAnotherOpen: true,
  }),
});

const FINDINGS = {
  checked: 'Codes P0301 and P0302',
  suspectedCause: 'Worn spark plugs',
  advice: 'Replace the plugs and the coil pack',
};
const findingsCase = (field: keyof typeof FINDINGS): Case => ({
  procedure: 'assignment.complete',
  field: `findings.${field}`,
  cookie: () => mechanics['a1@demo.test'] ?? '',
  body: () => ({
    assignmentId: diagnosticAccepted,
    outcome: 'needs_workshop',
    note: 'See the findings.',
    findings: { ...FINDINGS, [field]: withMark(FINDINGS[field]) },
  }),
});

const CASES: Case[] = [
  intakeCase('customerName'),
  {
    procedure: 'session.create',
    field: 'intake.callbackPhone',
    cookie: () => customer,
    body: () => ({
      intake: { ...intake, urgent: true, callbackPhone: withMark('+44 20 7946 0958') },
      idempotencyKey: key(),
      allowAnotherOpen: true,
    }),
  },
  {
    procedure: 'assignment.complete',
    field: 'note',
    cookie: () => mechanics['a2@demo.test'] ?? '',
    body: () => ({ assignmentId: chatAccepted, outcome: 'resolved', note: withMark('Replaced the fuse') }),
  },
  findingsCase('checked'),
  findingsCase('suspectedCause'),
  findingsCase('advice'),
  {
    procedure: 'session.rate',
    field: 'comment',
    cookie: () => customer,
    body: () => ({ sessionId: completed, stars: 4, comment: withMark('Clear and kind') }),
  },
  intakeCase('vehicleMake'),
  intakeCase('vehicleModel'),
  intakeCase('concern'),
  {
    procedure: 'waiver.sign',
    field: 'signerName',
    cookie: () => customer,
    body: () => ({
      sessionId: pendingWaiver,
      signerName: withMark('Ana Ortiz'),
      consent: true,
      waiverVersion,
    }),
  },
  {
    procedure: 'session.cancel',
    field: 'reason',
    cookie: () => customer,
    body: () => ({ sessionId: open, reason: withMark('Found another mechanic') }),
  },
  {
    procedure: 'room.send',
    field: 'body',
    cookie: () => customer,
    body: () => ({ sessionId: room, clientKey: randomUUID(), body: withMark('Hello, the brakes grind') }),
  },
  {
    procedure: 'auth.signUp',
    field: 'displayName',
    cookie: () => '',
    body: () => ({
      email: `${randomUUID()}@example.test`,
      password: 'long-enough-password',
      displayName: withMark('Ana Ortiz'),
    }),
  },
  {
    procedure: 'auth.signUp',
    field: 'email',
    cookie: () => '',
    body: () => ({
      email: withMark(`${randomUUID()}@example.test`),
      password: 'long-enough-password',
      displayName: 'Ana Ortiz',
    }),
  },
];

describe('hostile characters in every text field', () => {
  const matrix = CASES.flatMap((c) => HOSTILE.map(([name, jsonEscape]) => ({ ...c, name, jsonEscape })));
  it.each(matrix)('$procedure $field with $name: 400, readable, nothing written', async (c) => {
    const before = await counts();
    const body = raw(c.body(), c.jsonEscape);
    expect(body).toContain(c.jsonEscape);
    const answer = await post(c.procedure, body, c.cookie());
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body.error.data.code).toBe('BAD_REQUEST');
    const message: string = answer.body.error.message;
    // One sentence a person can read: a capital, words, a full stop; not a dump of issues.
    expect(message).toMatch(/^[A-Z][^\n{}[\]`]*\.$/);
    expect(message.length).toBeLessThan(300);
    expect(answer.text).not.toMatch(LEAK);
    expect(answer.text).not.toMatch(/invalid `/i);
    // The field is named where the form can show it.
    expect(Object.keys(answer.body.error.data.zodError?.fieldErrors ?? {})).toContain(c.field);
    expect(await counts()).toBe(before);
  });

  it('the same fields without the hostile character are accepted (the cases are otherwise valid)', async () => {
    for (const c of CASES) {
      if (c.procedure === 'session.cancel' || c.procedure === 'waiver.sign') continue;
      const answer = await post(c.procedure, raw(c.body(), ''), c.cookie());
      expect(answer.status, `${c.procedure} ${c.field}: ${answer.text}`).toBe(200);
    }
    const signed = await post(
      'waiver.sign',
      raw(CASES.find((c) => c.procedure === 'waiver.sign')?.body(), ''),
    );
    expect(signed.status, signed.text).toBe(200);
    const cancelled = await post(
      'session.cancel',
      raw(CASES.find((c) => c.procedure === 'session.cancel')?.body(), ''),
    );
    expect(cancelled.status, cancelled.text).toBe(200);
  });

  it('tab and line breaks stay allowed in multi-line text, refused in one-line text', async () => {
    const concern = await post(
      'session.create',
      json({
        intake: { ...intake, concern: 'Grinding noise\nwhen\tbraking' },
        idempotencyKey: key(),
        allowAnotherOpen: true,
      }),
    );
    expect(concern.status, concern.text).toBe(200);
    const name = await post(
      'session.create',
      json({
        intake: { ...intake, customerName: 'Ana\nOrtiz' },
        idempotencyKey: key(),
        allowAnotherOpen: true,
      }),
    );
    expect(name.status).toBe(400);
  });
});

describe('error bodies never leak internals', () => {
  it('across malformed, unknown, forbidden and refused calls', async () => {
    const unknown = randomUUID();
    const answers = [
      await post('session.create', '{"intake": '),
      await post('session.create', '[]'),
      await post('session.create', json({ intake: { concern: 7 } })),
      await post('session.teleport', '{}'),
      await post('session.cancel', json({ sessionId: unknown, reason: 'no longer needed' })),
      await post('session.cancel', json({ sessionId: 'not-a-uuid', reason: 'x' })),
      await post('assignment.accept', json({ assignmentId: unknown })),
      await post('admin.trail', json({ sessionId: unknown }), admin),
      await post(
        'waiver.sign',
        json({ sessionId: unknown, signerName: 'Ana', consent: true, waiverVersion: 'v0' }),
      ),
      await post('auth.logIn', json({ email: 'customer1@demo.test', password: 'wrong-password' }), ''),
      await post(
        'auth.signUp',
        json({ email: 'customer1@demo.test', password: 'long-enough-password', displayName: 'Ana' }),
        '',
      ),
    ];
    for (const answer of answers) {
      expect(answer.status, answer.text).toBeGreaterThanOrEqual(400);
      expect(answer.status, answer.text).toBeLessThan(500);
    }
    for (const text of bodies) expect(text).not.toMatch(LEAK);
    expect(bodies.length).toBeGreaterThan(30);
  });

  it('an unexpected failure is one sentence with the request id, and leaks nothing', async () => {
    // A throwaway database whose sessions table lost a column: listing sessions fails in the ORM.
    const broken = await freshDatabase();
    const brokenServer = await start(broken);
    try {
      const cookie = (await logIn(brokenServer, 'customer1@demo.test')).cookie;
      await broken.db.$executeRawUnsafe('ALTER TABLE sessions DROP COLUMN vehicle_make');
      const res = await fetch(`${brokenServer.url}/trpc/session.listMine`, { headers: { cookie } });
      const text = await res.text();
      expect(res.status, text).toBe(500);
      const body = JSON.parse(text);
      const requestId = res.headers.get('x-request-id');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(body.error.data.code).toBe('INTERNAL_SERVER_ERROR');
      expect(body.error.message).toBe(
        `Something went wrong on our side. Please try again (request ${requestId}).`,
      );
      expect(body.error.data.requestId).toBe(requestId);
      expect(text).not.toMatch(LEAK);
      expect(text).not.toMatch(/vehicle_make|column|stack/i);
    } finally {
      await brokenServer.close();
      await broken.drop();
    }
  });
});
