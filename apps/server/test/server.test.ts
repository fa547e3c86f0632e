import type { TestDatabase } from '@dispatch/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RunningServer } from '../src/server.ts';
import { client, freshDatabase, logIn, start, waitFor } from './harness.ts';

let database: TestDatabase;
let server: RunningServer;
const METRICS_TOKEN = 'metrics-token-for-tests';
beforeAll(async () => {
  database = await freshDatabase();
  server = await start(database, { METRICS_TOKEN: METRICS_TOKEN, TRUSTED_PROXIES: '127.0.0.1' });
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

function upgradeStatus(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/trpc`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => {});
  });
}

describe('HTTP', () => {
  it('answers health checks that look at the database and listener', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ok',
      checks: { database: 'ok', listener: 'ok', delivery: 'ok' },
    });
  });

  it('exposes Prometheus metrics for delivery, conflicts, dispatch and the listener', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    expect(
      (await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(404);
    const res = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    for (const name of [
      'dispatch_subscribers',
      'dispatch_events_committed_total',
      'dispatch_events_delivered_total',
      'dispatch_events_replayed_total',
      'dispatch_delivery_latency_seconds_bucket',
      'dispatch_accept_conflicts_total',
      'dispatch_offers_expired_total',
      'dispatch_requests_cancelled_no_mechanic_total',
      'dispatch_listen_reconnects',
      'dispatch_delivery_lag_seconds',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('gives every request an id, keeping a well-formed one from a proxy', async () => {
    const fresh = await fetch(`${server.url}/trpc/waiver.current`);
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await fetch(`${server.url}/trpc/waiver.current`, {
      headers: { 'x-request-id': 'proxy-id-12345' },
    });
    expect(kept.headers.get('x-request-id')).toBe('proxy-id-12345');
  });

  it('limits log-in attempts per address and account with TOO_MANY_REQUESTS', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1)
      statuses.push((await logIn(server, 'b2@demo.test', 'wrong-password!')).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect((await logIn(server, 'b1@demo.test')).status).toBe(200);
  });

  it('sets an httpOnly, SameSite session cookie at log-in and revokes it at log-out', async () => {
    const { status, setCookie, cookie } = await logIn(server, 'a1@demo.test');
    expect(status).toBe(200);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).not.toMatch(/Secure/);
    const { trpc } = client(server, cookie);
    expect(await trpc.auth.me.query()).toMatchObject({ email: 'a1@demo.test', role: 'mechanic' });
    await trpc.auth.logOut.mutate();
    expect(await trpc.auth.me.query()).toBeNull();
    expect(await upgradeStatus({ cookie })).toBe(401);
  });

  it('marks the cookie Secure behind TLS', async () => {
    const res = await fetch(`${server.url}/trpc/auth.logIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ email: 'a1@demo.test', password: 'demo-password-1' }),
    });
    expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('refuses wrong passwords without saying which part was wrong', async () => {
    const wrong = await logIn(server, 'a1@demo.test', 'not-the-password');
    const unknown = await logIn(server, 'nobody@demo.test', 'not-the-password');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.setCookie).toBe('');
  });

  it('names each bad field by its full input path and never sends a stack trace', async () => {
    const { cookie } = await logIn(server, 'customer2@demo.test');
    const res = await fetch(`${server.url}/trpc/session.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({
        intake: {
          customerName: 'A',
          vehicleYear: 1800,
          vehicleMake: 'VW',
          vehicleModel: 'Golf',
          concern: 'x',
        },
        idempotencyKey: 'bad-input-1234',
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { data: Record<string, unknown> } };
    expect(body.error.data.stack).toBeUndefined();
    expect(body.error.data.zodError).toMatchObject({
      fieldErrors: {
        'intake.customerName': ['Your name needs at least 2 characters'],
        'intake.vehicleYear': ['Vehicle year must be 1950 or later'],
        'intake.concern': ['Concern needs at least 10 characters'],
        'intake.sessionType': ['Choose a session type'],
        'intake.plan': ['Choose a plan'],
      },
    });
  });

  it('refuses cross-origin mutations', async () => {
    const res = await fetch(`${server.url}/trpc/auth.logIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ email: 'a1@demo.test', password: 'demo-password-1' }),
    });
    expect(res.status).toBe(403);
  });
});

describe('WebSocket', () => {
  it('refuses a connection without a valid session, or from another origin', async () => {
    expect(await upgradeStatus({})).toBe(401);
    expect(await upgradeStatus({ cookie: 'dispatch_sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).toBe(
      401,
    );
    const { cookie } = await logIn(server, 'a1@demo.test');
    expect(await upgradeStatus({ cookie, origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus({ cookie })).toBe(101);
  });

  it('delivers a queued request to a subscribed mechanic over the socket', async () => {
    const mechanic = client(server, (await logIn(server, 'a2@demo.test')).cookie);
    const customer = client(server, (await logIn(server, 'customer1@demo.test')).cookie);
    const { position } = await mechanic.trpc.queue.list.query();
    const received: string[] = [];
    const subscription = mechanic.trpc.queue.onChange.subscribe(
      { lastEventId: position },
      { onData: (event) => received.push(event.id) },
    );
    const booked = await customer.trpc.session.create.mutate({
      intake: {
        customerName: 'Ana Ortiz',
        vehicleYear: 2014,
        vehicleMake: 'Honda',
        vehicleModel: 'Civic',
        concern: 'Grinding noise when braking',
        sessionType: 'video',
        plan: 'paid',
      },
      idempotencyKey: 'server-test-1234',
      allowAnotherOpen: true,
    });
    await waitFor(() => received.length >= 1);
    expect(booked.status).toBe('waiting');
    subscription.unsubscribe();
    mechanic.close();
    customer.close();
  });
});
