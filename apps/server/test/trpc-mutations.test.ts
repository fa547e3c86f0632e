// The mutation path (src/http/trpc-mutations.ts) must answer exactly as tRPC's adapter would. The
// same request goes to `/trpc/<path>` (taken by the mutation path) and to `/trpc/<path>?via=adapter`
// (a query string, so it is left to tRPC's adapter, which ignores it for a POST); status, the headers clients read and the body must match.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestDatabase } from '@dispatch/db/testing';
import { initTRPC } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { mutationPath } from '../src/http/trpc-mutations.ts';
import type { RunningServer } from '../src/server.ts';
import { freshDatabase, intake, logIn, start } from './harness.ts';

let database: TestDatabase;
let server: RunningServer;
let cookie: string;
beforeAll(async () => {
  database = await freshDatabase();
  server = await start(database);
  cookie = (await logIn(server, 'customer1@demo.test')).cookie;
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

interface Answer {
  status: number;
  contentType: string | null;
  vary: string | null;
  retryAfter: string | null;
  body: unknown;
}

async function send(path: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${server.url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  // Each request has its own id, and a wait is counted down between the two: neither is compared.
  const text = (await res.text())
    .replace(/"requestId":"[^"]*"/g, '"requestId":"…"')
    .replace(/"retryAfterMs":\d+/g, '"retryAfterMs":"…"');
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    vary: res.headers.get('vary'),
    retryAfter: res.headers.get('retry-after'),
    body: JSON.parse(text),
  };
}

/** The same request both ways, one after the other. */
async function both(path: string, body: string, headers: Record<string, string> = {}) {
  const fast = await send(path, body, headers);
  const adapter = await send(`${path}?via=adapter`, body, headers);
  return { fast, adapter };
}

describe('one mutation over HTTP answers as tRPC would', () => {
  const cases: [string, string, string, () => Record<string, string>][] = [
    [
      'a success (an idempotent booking retried)',
      'session.create',
      JSON.stringify({ intake, idempotencyKey: 'same-key-1' }),
      () => ({ cookie }),
    ],
    ['no cookie', 'session.create', JSON.stringify({ intake, idempotencyKey: 'k-2' }), () => ({})],
    [
      'invalid input',
      'session.create',
      JSON.stringify({ intake: { ...intake, vehicleYear: 1e308 }, idempotencyKey: 'k-3' }),
      () => ({ cookie }),
    ],
    ['a body that is not JSON', 'session.create', '{"intake": ', () => ({ cookie })],
    [
      'NUL and a lone surrogate',
      'waiver.sign',
      JSON.stringify({ sessionId: '\u0000\ud800', signerName: '\ud800', consent: true, waiverVersion: 'x' }),
      () => ({ cookie }),
    ],
    [
      'a wrong password',
      'auth.logIn',
      JSON.stringify({ email: 'nobody@demo.test', password: 'wrong-password-1' }),
      () => ({}),
    ],
    ['a query posted to', 'auth.me', '{}', () => ({ cookie })],
    ['an unknown path', 'session.nothing', '{}', () => ({ cookie })],
    ["a path that names Object's own keys", 'constructor', '{}', () => ({ cookie })],
    ['a __proto__ path', '__proto__', '{}', () => ({ cookie })],
    ['a malformed escape in the path', 'session.%E0%A4%A', '{}', () => ({ cookie })],
  ];
  for (const [name, path, body, headers] of cases) {
    it(name, async () => {
      const { fast, adapter } = await both(path, body, headers());
      expect(fast).toEqual(adapter);
    });
  }

  it('a refusal for load carries the same Retry-After', async () => {
    // Ten log-in attempts a minute per address and account: the eleventh and twelfth are refused.
    const wrong = JSON.stringify({ email: 'b2@demo.test', password: 'wrong-password!' });
    for (let i = 0; i < 10; i += 1) await send('auth.logIn', wrong);
    const { fast, adapter } = await both('auth.logIn', wrong);
    expect(fast.status).toBe(429);
    expect(fast.retryAfter).not.toBeNull();
    expect(fast).toEqual(adapter);
  });

  it('a log-in sets the same cookie attributes either way', async () => {
    const body = JSON.stringify({ email: 'a1@demo.test', password: 'demo-password-1' });
    const one = await fetch(`${server.url}/trpc/auth.logIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const two = await fetch(`${server.url}/trpc/auth.logIn?via=adapter`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const attributes = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';').slice(1).join(';');
    expect(one.status).toBe(200);
    expect(attributes(one)).toBe(attributes(two));
    expect(await one.json()).toEqual(await two.json());
  });
});

describe('what the mutation path takes and what it leaves to the adapter', () => {
  const t = initTRPC.create();
  const router = t.router({
    add: t.procedure.input(z.object({ n: z.number() })).mutation(({ input }) => input.n + 1),
    read: t.procedure.query(() => 1),
  });
  let url = '';
  const taken: string[] = [];
  const http = createServer((req, res) => {
    const handle = mutationPath({
      router,
      basePath: '/trpc/',
      maxBodySize: 64,
      createContext: async () => ({}),
    });
    if (handle(req, res)) taken.push(req.url ?? '');
    else res.writeHead(404).end();
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));

  it('takes a POST of one mutation with a JSON body of known length, and answers it', async () => {
    const res = await fetch(`${url}/trpc/add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"n":41}',
    });
    expect(await res.json()).toEqual({ result: { data: 42 } });
    expect(taken).toEqual(['/trpc/add']);
  });

  it('leaves queries, batches, query strings, other content types and large bodies alone', async () => {
    taken.length = 0;
    const post = (path: string, body: string, type = 'application/json') =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    const statuses = [
      (await post('/trpc/read', '{}')).status,
      (await post('/trpc/add,add?batch=1', '{"0":{"n":1},"1":{"n":2}}')).status,
      (await post('/trpc/add?via=adapter', '{"n":1}')).status,
      (await post('/trpc/add', '{"n":1}', 'text/plain')).status,
      (await post('/trpc/add', JSON.stringify({ n: 1, pad: 'x'.repeat(100) }))).status,
      (await fetch(`${url}/trpc/add`)).status,
    ];
    expect(statuses).toEqual([404, 404, 404, 404, 404, 404]);
    expect(taken).toEqual([]);
  });
});
