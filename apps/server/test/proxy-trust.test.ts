// Issue #11: X-Request-Id and X-Forwarded-Proto are believed only from TRUSTED_PROXIES. Checked
// where they end up: the response header, the stored event's request_id and the cookie's Secure.
import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '@dispatch/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.ts';
import { freshDatabase, intake, start } from './harness.ts';

let database: TestDatabase;
let untrusting: RunningServer;
let trusting: RunningServer;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  database = await freshDatabase();
  untrusting = await start(database, { RATE_LIMIT_LOGIN_PER_MINUTE: '1000' });
  trusting = await start(database, { RATE_LIMIT_LOGIN_PER_MINUTE: '1000', TRUSTED_PROXIES: '127.0.0.1' });
});
afterAll(async () => {
  await trusting?.close();
  await untrusting?.close();
  await database?.drop();
});

async function logIn(server: RunningServer, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/trpc/auth.logIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email: 'customer1@demo.test', password: 'demo-password-1' }),
  });
  expect(res.status).toBe(200);
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { setCookie, cookie: setCookie.split(';')[0] ?? '', requestId: res.headers.get('x-request-id') };
}

/** Books with the given headers; the answer's x-request-id and the create event's stored request_id. */
async function book(server: RunningServer, cookie: string, headers: Record<string, string>) {
  const res = await fetch(`${server.url}/trpc/session.create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, ...headers },
    body: JSON.stringify({ intake, idempotencyKey: `proxy_${randomUUID()}`, allowAnotherOpen: true }),
  });
  const body = (await res.json()) as { result: { data: { sessionId: string } } };
  expect(res.status, JSON.stringify(body)).toBe(200);
  const event = await database.db.assignmentEvent.findFirstOrThrow({
    where: { sessionId: body.result.data.sessionId, type: 'create' },
  });
  return { header: res.headers.get('x-request-id'), stored: event.requestId };
}

const isSecure = (setCookie: string) =>
  setCookie
    .split(';')
    .map((part) => part.trim().toLowerCase())
    .includes('secure');

describe('without TRUSTED_PROXIES', () => {
  it("ignores a client's X-Request-Id: the answer and the stored event carry a fresh uuid", async () => {
    const { cookie } = await logIn(untrusting);
    const chosen = `client-chosen-${randomUUID()}`;
    const got = await book(untrusting, cookie, { 'x-request-id': chosen });
    expect(got.header).toMatch(UUID);
    expect(got.header).not.toBe(chosen);
    expect(got.stored).toBe(got.header);
    const again = await book(untrusting, cookie, { 'x-request-id': chosen });
    expect(again.header).not.toBe(got.header);
    expect(
      await database.db.assignmentEvent.count({ where: { requestId: chosen } }),
      'no event stores the client-chosen id',
    ).toBe(0);
  });

  it('ignores X-Forwarded-Proto: the session cookie is not Secure over plain HTTP', async () => {
    const { setCookie } = await logIn(untrusting, { 'x-forwarded-proto': 'https' });
    expect(setCookie).toContain('=');
    expect(isSecure(setCookie)).toBe(false);
  });
});

describe('with TRUSTED_PROXIES=127.0.0.1', () => {
  it("honours the proxy's X-Request-Id in the answer and the stored event", async () => {
    const { cookie } = await logIn(trusting);
    const chosen = `proxy-${randomUUID()}`;
    const got = await book(trusting, cookie, { 'x-request-id': chosen });
    expect(got.header).toBe(chosen);
    expect(got.stored).toBe(chosen);
  });

  it('still refuses a malformed X-Request-Id from the proxy (a fresh uuid instead)', async () => {
    const { cookie } = await logIn(trusting);
    for (const bad of ['short', 'has spaces in it', 'x'.repeat(101), 'semi;colon-0000']) {
      const got = await book(trusting, cookie, { 'x-request-id': bad });
      expect(got.header).toMatch(UUID);
      expect(got.stored).toBe(got.header);
    }
  });

  it('honours X-Forwarded-Proto: https (Secure cookie), and only https', async () => {
    const secure = await logIn(trusting, { 'x-forwarded-proto': 'https' });
    expect(isSecure(secure.setCookie)).toBe(true);
    const plain = await logIn(trusting, { 'x-forwarded-proto': 'http' });
    expect(isSecure(plain.setCookie)).toBe(false);
    const none = await logIn(trusting);
    expect(isSecure(none.setCookie)).toBe(false);
  });
});
