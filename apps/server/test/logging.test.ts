import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { TestDatabase } from '@dispatch/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/server.ts';
import { createServerLog } from '../src/startup.ts';
import { freshDatabase, testEnv } from './harness.ts';

let database: TestDatabase;
let server: RunningServer;
const lines: string[] = [];
beforeAll(async () => {
  database = await freshDatabase();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trim().split('\n'));
      done();
    },
  });
  server = await startServer({
    // The test client stands in for the proxy that sets X-Request-Id.
    env: testEnv({ TRUSTED_PROXIES: '127.0.0.1' }),
    databaseUrl: database.url,
    log: pino({ level: 'info' }, sink),
  });
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

it('one request id finds the request in the logs and in the events it caused, with no personal data logged', async () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const login = await post('auth.logIn', { email: 'customer1@demo.test', password: 'demo-password-1' });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const requestId = 'trace-me-0123456789';
  const res = await post(
    'session.create',
    {
      intake: {
        customerName: 'Dana Reyes',
        vehicleYear: 2012,
        vehicleMake: 'Mazda',
        vehicleModel: '3',
        concern: 'Clunk from the front left wheel',
        sessionType: 'chat',
        plan: 'paid',
      },
      idempotencyKey: 'trace-booking-1',
    },
    { cookie, 'x-request-id': requestId },
  );
  expect(res.status).toBe(200);
  await expect.poll(() => lines.some((line) => line.includes(requestId))).toBe(true);

  // An urgent booking with a callback phone, accepted, and the phone read back by its mechanic:
  // the number passes through the server in both directions and must reach no log line.
  const urgent = await post(
    'session.create',
    {
      intake: {
        customerName: 'Dana Reyes',
        vehicleYear: 2012,
        vehicleMake: 'Mazda',
        vehicleModel: '3',
        concern: 'Stuck on the hard shoulder, engine cut out',
        sessionType: 'video',
        plan: 'paid',
        urgent: true,
        callbackPhone: '+44 20 7946 0958',
      },
      idempotencyKey: 'trace-booking-2',
      allowAnotherOpen: true,
    },
    { cookie },
  );
  expect(urgent.status).toBe(200);
  const booked = (await urgent.json()) as { result: { data: { sessionId: string; assignmentId: string } } };
  const mechanicLogin = await post('auth.logIn', { email: 'virtual@demo.test', password: 'demo-password-1' });
  const mechanicCookie = (mechanicLogin.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const accepted = await post(
    'assignment.accept',
    { assignmentId: booked.result.data.assignmentId },
    { cookie: mechanicCookie },
  );
  expect(accepted.status).toBe(200);
  const contacts = await fetch(
    `${server.url}/trpc/session.contacts?input=${encodeURIComponent(JSON.stringify({ sessionId: booked.result.data.sessionId }))}`,
    { headers: { cookie: mechanicCookie, 'x-request-id': 'trace-contacts-1' } },
  );
  expect(await contacts.text()).toContain('+442079460958');
  await expect.poll(() => lines.some((line) => line.includes('trace-contacts-1'))).toBe(true);

  const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(logged.find((entry) => entry.requestId === requestId)).toMatchObject({
    path: '/trpc/session.create',
    status: 200,
  });
  const events = await database.db.assignmentEvent.findMany({ where: { requestId } });
  expect(events.map((e) => e.type)).toEqual(['create']);

  const everything = lines.join('\n');
  for (const secret of [
    'demo-password-1',
    'customer1@demo.test',
    'Dana Reyes',
    cookie.split('=')[1] ?? 'x',
    '+1 555',
    '7946 0958',
    '2079460958',
  ]) {
    expect(everything).not.toContain(secret);
  }
});

it('the server log redacts a callback phone wherever a log call might carry one', async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'dispatch-log-redact-'));
  try {
    const file = path.join(folder, 'server.log');
    const serverLog = createServerLog(testEnv({ LOG_FILE: file, LOG_LEVEL: 'info' }));
    serverLog.log.info(
      { callbackPhone: '+442079460958', intake: { callbackPhone: '+442079460958' } },
      'an entry that should never have carried it',
    );
    serverLog.log.info({ session: { row: { callbackPhone: '+442079460958' } } }, 'deeper still');
    serverLog.flush();
    const written = await readFile(file, 'utf8');
    expect(written).toContain('[redacted]');
    expect(written).not.toContain('2079460958');
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
