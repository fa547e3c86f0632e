// Issue #11 item 7 (booking), over HTTP: a retry with the same key and intake is the same booking
// (even once the booking rate limit is used up), the same key with another intake is a conflict,
// and a second open request needs the customer's explicit choice.
import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '@dispatch/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.ts';
import { freshDatabase, intake, logIn, start } from './harness.ts';

let database: TestDatabase;
let server: RunningServer;
let limited: RunningServer;

beforeAll(async () => {
  database = await freshDatabase();
  server = await start(database, { RATE_LIMIT_BOOKINGS_PER_MINUTE: '1000' });
  // A second process on the same database with a tight booking limit (limits are per process).
  limited = await start(database, { RATE_LIMIT_BOOKINGS_PER_MINUTE: '2' });
});
afterAll(async () => {
  await limited?.close();
  await server?.close();
  await database?.drop();
});

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body, inspected field by field.
  body: any;
}

async function create(on: RunningServer, cookie: string, input: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(`${on.url}/trpc/session.create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: await res.json() };
}

const key = () => `idem_${randomUUID()}`;

async function sessionsOf(email: string): Promise<number> {
  const user = await database.db.user.findUniqueOrThrow({ where: { email } });
  return database.db.helpSession.count({ where: { customerId: user.id } });
}

describe('idempotency keys', () => {
  it('the same key and intake return the same session; another intake under it is a conflict', async () => {
    const { cookie } = await logIn(server, 'customer1@demo.test');
    const idempotencyKey = key();
    const first = await create(server, cookie, { intake, idempotencyKey });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const sessionId = first.body.result.data.sessionId;

    const [again, alsoAgain] = await Promise.all([
      create(server, cookie, { intake, idempotencyKey }),
      create(server, cookie, { intake, idempotencyKey }),
    ]);
    expect(again.status).toBe(200);
    expect(alsoAgain.status).toBe(200);
    expect(again.body.result.data.sessionId).toBe(sessionId);
    expect(alsoAgain.body.result.data.sessionId).toBe(sessionId);
    expect(await sessionsOf('customer1@demo.test')).toBe(1);

    for (const other of [
      { ...intake, concern: 'A completely different problem with the engine' },
      { ...intake, vehicleYear: intake.vehicleYear + 1 },
      { ...intake, sessionType: 'video' },
      { ...intake, urgent: true },
    ]) {
      const reused = await create(server, cookie, { intake: other, idempotencyKey, allowAnotherOpen: true });
      expect(reused.status, JSON.stringify(reused.body)).toBe(409);
      expect(reused.body.error.data.code).toBe('CONFLICT');
      expect(reused.body.error.data.refusal).toBe('idempotency_key_reused');
      expect(reused.body.error.message).toMatch(/^[A-Z].*\.$/);
    }
    expect(await sessionsOf('customer1@demo.test')).toBe(1);
    const events = await database.db.assignmentEvent.count({ where: { sessionId, type: 'create' } });
    expect(events).toBe(1);
  });

  it('keys are per customer: another customer may use the same key for their own booking', async () => {
    const one = (await logIn(server, 'customer1@demo.test')).cookie;
    const two = (await logIn(server, 'customer2@demo.test')).cookie;
    const idempotencyKey = key();
    const a = await create(server, one, { intake, idempotencyKey, allowAnotherOpen: true });
    const b = await create(server, two, { intake, idempotencyKey, allowAnotherOpen: true });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.result.data.sessionId).not.toBe(b.body.result.data.sessionId);
  });

  it('an idempotent retry of a booking already made succeeds after the booking rate limit is used up', async () => {
    // A customer with no bookings yet: the limits are counted across every process of one database.
    const email = `limited-${key()}@new.test`.toLowerCase();
    const signUp = await fetch(`${limited.url}/trpc/auth.signUp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'long-enough-1', displayName: 'Lim Ited' }),
    });
    expect(signUp.status).toBe(200);
    const cookie = (signUp.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const keys = [key(), key()];
    const made: string[] = [];
    for (const idempotencyKey of keys) {
      const answer = await create(limited, cookie, { intake, idempotencyKey, allowAnotherOpen: true });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      made.push(answer.body.result.data.sessionId);
    }
    const before = await sessionsOf(email);

    const third = await create(limited, cookie, { intake, idempotencyKey: key(), allowAnotherOpen: true });
    expect(third.status).toBe(429);
    expect(third.body.error.data.code).toBe('TOO_MANY_REQUESTS');

    for (const [i, idempotencyKey] of keys.entries()) {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const retry = await create(limited, cookie, { intake, idempotencyKey, allowAnotherOpen: true });
        expect(retry.status, JSON.stringify(retry.body)).toBe(200);
        expect(retry.body.result.data.sessionId).toBe(made[i]);
      }
    }
    // A reused key with another intake is still a conflict, not a rate-limit answer.
    const reused = await create(limited, cookie, {
      intake: { ...intake, concern: 'Something else entirely this time' },
      idempotencyKey: keys[0],
      allowAnotherOpen: true,
    });
    expect(reused.status).toBe(409);
    expect(reused.body.error.data.refusal).toBe('idempotency_key_reused');
    // And a new booking is still refused: the retries did not reset or bypass the limit.
    expect(
      (await create(limited, cookie, { intake, idempotencyKey: key(), allowAnotherOpen: true })).status,
    ).toBe(429);
    expect(await sessionsOf(email)).toBe(before);
  });
});

describe('one open request', () => {
  it('a second create without allowAnotherOpen is a conflict; with it, a second booking', async () => {
    // A fresh customer with no history.
    const email = `open-${randomUUID()}@example.test`;
    const signUp = await fetch(`${server.url}/trpc/auth.signUp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'long-enough-password', displayName: 'Open Rule' }),
    });
    expect(signUp.status).toBe(200);
    const cookie = (signUp.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

    const first = await create(server, cookie, { intake, idempotencyKey: key() });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const second = await create(server, cookie, { intake, idempotencyKey: key() });
    expect(second.status, JSON.stringify(second.body)).toBe(409);
    expect(second.body.error.data.code).toBe('CONFLICT');
    expect(second.body.error.data.refusal).toBe('open_request_exists');
    expect(await sessionsOf(email)).toBe(1);

    const explicit = await create(server, cookie, { intake, idempotencyKey: key(), allowAnotherOpen: false });
    expect(explicit.body.error?.data?.refusal).toBe('open_request_exists');

    const chosen = await create(server, cookie, { intake, idempotencyKey: key(), allowAnotherOpen: true });
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
    expect(chosen.body.result.data.sessionId).not.toBe(first.body.result.data.sessionId);
    expect(await sessionsOf(email)).toBe(2);

    // Once nothing is open any more, a plain create works again.
    for (const sessionId of [first.body.result.data.sessionId, chosen.body.result.data.sessionId]) {
      const cancel = await fetch(`${server.url}/trpc/session.cancel`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ sessionId, reason: 'changed my mind' }),
      });
      expect(cancel.status).toBe(200);
    }
    expect((await create(server, cookie, { intake, idempotencyKey: key() })).status).toBe(200);
  });

  it('concurrent first bookings with different keys and no allowAnotherOpen: exactly one is made, the rest open_request_exists', async () => {
    const email = `race-${randomUUID()}@example.test`;
    const signUp = await fetch(`${server.url}/trpc/auth.signUp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'long-enough-password', displayName: 'Race Rule' }),
    });
    const cookie = (signUp.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => create(server, cookie, { intake, idempotencyKey: key() })),
    );
    const made = answers.filter((a) => a.status === 200);
    console.info(`concurrent first bookings: ${made.length} of ${answers.length} made`);
    expect(made).toHaveLength(1);
    for (const refused of answers.filter((a) => a.status !== 200)) {
      expect(refused.status).toBe(409);
      expect(refused.body.error.data.refusal).toBe('open_request_exists');
    }
    expect(await sessionsOf(email)).toBe(made.length);
  });
});
