// Issue #14 item 2: a video call's signalling between two server processes on one database. The
// customer's socket is on process A, the mechanic's on process B; every signal goes through
// PostgreSQL (a stored row and a NOTIFY naming it), including an SDP larger than NOTIFY's
// 8,000-byte payload. Membership, the server's own join/leave/ended, and the per-user rate limit
// shared by both processes.
import { randomUUID } from 'node:crypto';
import type { AppRouter } from '@dispatch/api';
import type { TestDatabase } from '@dispatch/db/testing';
import type { CallSignal } from '@dispatch/domain';
import { createTRPCClient, createWSClient, httpLink, splitLink, TRPCClientError, wsLink } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadEnv } from '../src/env.ts';
import type { RunningServer } from '../src/server.ts';
import { freshDatabase, logIn, start, waitFor } from './harness.ts';

const ICE = [{ urls: 'turn:turn.example.test:3478', username: 'u', credential: 'secret' }];
const LIMIT = 40;

let database: TestDatabase;
let a: RunningServer;
let b: RunningServer;

beforeAll(async () => {
  database = await freshDatabase();
  const env = { ICE_SERVERS: JSON.stringify(ICE), RATE_LIMIT_CALL_SIGNALS_PER_MINUTE: String(LIMIT) };
  [a, b] = await Promise.all([start(database, env), start(database, env)]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await database?.drop();
});

/** A client like the apps': call.signal and subscriptions over the authenticated WebSocket. */
function socketClient(server: RunningServer, cookie: string) {
  class CookieWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers: { cookie } });
    }
  }
  const wsClient = createWSClient({
    url: `${server.url.replace('http', 'ws')}/trpc`,
    WebSocket: CookieWebSocket as unknown as typeof globalThis.WebSocket,
    retryDelayMs: () => 50,
  });
  const trpc = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription' || op.path === 'videoCall.signal',
        true: wsLink({ client: wsClient }),
        false: httpLink({ url: `${server.url}/trpc`, headers: { cookie } }),
      }),
    ],
  });
  return { trpc, close: () => void wsClient.close() };
}

type Client = ReturnType<typeof socketClient>;

/** A subscription to videoCall.onSignal that records what it receives. */
function follow(client: Client, sessionId: string, attempt: string) {
  const received: CallSignal[] = [];
  const state = { started: false, error: null as unknown, completed: false };
  const subscription = client.trpc.videoCall.onSignal.subscribe(
    { sessionId, attempt },
    {
      onStarted: () => {
        state.started = true;
      },
      onData: (signal) => received.push(signal as CallSignal),
      onError: (error) => {
        state.error = error;
      },
      onComplete: () => {
        state.completed = true;
      },
    },
  );
  return { received, state, stop: () => subscription.unsubscribe() };
}

/** A paid video session of `customerEmail`, accepted by the virtual mechanic. */
async function acceptedVideoSession(customerEmail: string) {
  const customer = (await logIn(a, customerEmail)).cookie;
  const mechanic = (await logIn(b, 'virtual@demo.test')).cookie;
  const http = (server: RunningServer, cookie: string) =>
    createTRPCClient<AppRouter>({ links: [httpLink({ url: `${server.url}/trpc`, headers: { cookie } })] });
  const booked = await http(a, customer).session.create.mutate({
    intake: {
      customerName: 'Ana Ortiz',
      vehicleYear: 2014,
      vehicleMake: 'Honda',
      vehicleModel: 'Civic',
      concern: 'Grinding noise when braking at low speed',
      sessionType: 'video',
      plan: 'paid',
    },
    idempotencyKey: `call_${randomUUID()}`,
    allowAnotherOpen: true,
  });
  await http(b, mechanic).mechanic.setAvailability.mutate({ availability: 'available' });
  await http(b, mechanic).assignment.accept.mutate({ assignmentId: booked.assignmentId });
  return {
    sessionId: booked.sessionId,
    assignmentId: booked.assignmentId,
    customer,
    mechanic,
    complete: () =>
      http(b, mechanic).assignment.complete.mutate({
        assignmentId: booked.assignmentId,
        outcome: 'resolved',
        note: 'Sorted out on the call.',
      }),
  };
}

/** An SDP-shaped text of `size` characters: more than NOTIFY could carry. */
function bigSdp(size: number): string {
  const lines = ['v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0'];
  let i = 0;
  while (lines.join('\r\n').length < size) {
    i += 1;
    lines.push(`a=candidate:${i} 1 udp 2122260223 192.168.1.${i % 250} ${40000 + i} typ host generation 0`);
  }
  return `${lines.join('\r\n').slice(0, size - 2)}\r\n`;
}

describe('video call signalling across two server processes', () => {
  it('relays join, a 12 KB offer, the answer and candidates in order between processes; a dropped socket is a leave; completion ends the call', async () => {
    const session = await acceptedVideoSession('customer1@demo.test');
    const customer = socketClient(a, session.customer);
    const mechanic = socketClient(b, session.mechanic);
    const customerAttempt = randomUUID();
    const mechanicAttempt = randomUUID();
    try {
      const c = follow(customer, session.sessionId, customerAttempt);
      await waitFor(() => c.state.started);
      const m = follow(mechanic, session.sessionId, mechanicAttempt);
      // The mechanic's subscription on B listens, then the server tells the customer on A.
      await waitFor(() => c.received.some((s) => s.kind === 'join'));
      expect(c.received[0]).toEqual({ kind: 'join', attempt: mechanicAttempt, payload: {} });
      // The customer answers "here" for that attempt only.
      await customer.trpc.videoCall.signal.mutate({
        sessionId: session.sessionId,
        attempt: customerAttempt,
        to: mechanicAttempt,
        signal: { kind: 'here', payload: {} },
      });
      await waitFor(() => m.received.some((s) => s.kind === 'here'));
      expect(m.received.find((s) => s.kind === 'here')?.attempt).toBe(customerAttempt);

      const sdp = bigSdp(12_000);
      expect(Buffer.byteLength(sdp)).toBeGreaterThan(8_000);
      await mechanic.trpc.videoCall.signal.mutate({
        sessionId: session.sessionId,
        attempt: mechanicAttempt,
        to: customerAttempt,
        signal: { kind: 'description', payload: { type: 'offer', sdp } },
      });
      for (let i = 0; i < 20; i += 1) {
        await mechanic.trpc.videoCall.signal.mutate({
          sessionId: session.sessionId,
          attempt: mechanicAttempt,
          to: customerAttempt,
          signal: {
            kind: 'candidate',
            payload: {
              candidate: `candidate:${i} 1 udp 2122260223 10.0.0.${i} ${50000 + i} typ host`,
              sdpMid: '0',
              sdpMLineIndex: 0,
              usernameFragment: 'abcd',
            },
          },
        });
      }
      await waitFor(() => c.received.filter((s) => s.kind === 'candidate').length === 20);
      const offer = c.received.find((s) => s.kind === 'description');
      expect(offer?.payload).toEqual({ type: 'offer', sdp });
      expect(c.received.map((s) => s.kind)).toEqual(['join', 'description', ...Array(20).fill('candidate')]);
      expect(
        c.received.flatMap((s) => (s.kind === 'candidate' ? [s.payload.candidate.split(' ')[0]] : [])),
      ).toEqual(Array.from({ length: 20 }, (_, i) => `candidate:${i}`));

      // A signal meant for another attempt of the customer does not reach this one.
      await mechanic.trpc.videoCall.signal.mutate({
        sessionId: session.sessionId,
        attempt: mechanicAttempt,
        to: randomUUID(),
        signal: { kind: 'description', payload: { type: 'answer', sdp: 'v=0\r\n' } },
      });
      await customer.trpc.videoCall.signal.mutate({
        sessionId: session.sessionId,
        attempt: customerAttempt,
        to: mechanicAttempt,
        signal: { kind: 'description', payload: { type: 'answer', sdp: 'v=0\r\ns=-\r\n' } },
      });
      await waitFor(() => m.received.some((s) => s.kind === 'description'));
      expect(c.received.filter((s) => s.kind === 'description')).toHaveLength(1);

      // The mechanic's socket dies (no hang-up): the customer hears `leave: dropped` for that attempt.
      mechanic.close();
      await waitFor(() => c.received.some((s) => s.kind === 'leave'));
      expect(c.received.at(-1)).toEqual({
        kind: 'leave',
        attempt: mechanicAttempt,
        payload: { reason: 'dropped' },
      });

      // The mechanic completes the session: the call is over, the subscription ends.
      await session.complete();
      await waitFor(() => c.state.completed || c.received.some((s) => s.kind === 'ended'));
      expect(c.received.at(-1)).toEqual({ kind: 'ended', attempt: null, payload: {} });
      // And nobody can signal into it any more.
      await expect(
        customer.trpc.videoCall.signal.mutate({
          sessionId: session.sessionId,
          attempt: customerAttempt,
          to: null,
          signal: { kind: 'leave', payload: { reason: 'hangup' } },
        }),
      ).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
      c.stop();
    } finally {
      customer.close();
      mechanic.close();
    }
  });

  it('tells only members the ICE servers from ICE_SERVERS; a stranger subscribing gets NOT_FOUND', async () => {
    const session = await acceptedVideoSession('customer1@demo.test');
    const member = createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${a.url}/trpc`, headers: { cookie: session.customer } })],
    });
    expect(await member.videoCall.config.query({ sessionId: session.sessionId })).toEqual({
      iceServers: ICE,
    });
    const stranger = (await logIn(a, 'customer2@demo.test')).cookie;
    const strangerHttp = createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${a.url}/trpc`, headers: { cookie: stranger } })],
    });
    const refused = await strangerHttp.videoCall.config
      .query({ sessionId: session.sessionId })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect(refused.data.code).toBe('NOT_FOUND');

    const strangerSocket = socketClient(b, stranger);
    try {
      const s = follow(strangerSocket, session.sessionId, randomUUID());
      await waitFor(() => s.state.error !== null);
      expect((s.state.error as TRPCClientError<AppRouter>).data?.code).toBe('NOT_FOUND');
      expect(await database.db.callSignal.count({ where: { sessionId: session.sessionId } })).toBe(0);
    } finally {
      strangerSocket.close();
    }
    await session.complete();
  });

  it('limits signals per user across both processes together', async () => {
    const session = await acceptedVideoSession('customer2@demo.test');
    const on = [a, b].map((server) =>
      createTRPCClient<AppRouter>({
        links: [httpLink({ url: `${server.url}/trpc`, headers: { cookie: session.customer } })],
      }),
    );
    const attempt = randomUUID();
    let sent = 0;
    let refusal: unknown = null;
    while (sent <= LIMIT && refusal === null) {
      try {
        await on[sent % 2]?.videoCall.signal.mutate({
          sessionId: session.sessionId,
          attempt,
          to: null,
          signal: { kind: 'here', payload: {} },
        });
        sent += 1;
      } catch (error) {
        refusal = error;
      }
    }
    expect(sent).toBe(LIMIT);
    expect((refusal as TRPCClientError<AppRouter>).data?.code).toBe('TOO_MANY_REQUESTS');
    expect((refusal as TRPCClientError<AppRouter>).message).toMatch(
      /^Too many attempts\. Try again in \d+ s\.$/,
    );
    expect(await database.db.callSignal.count({ where: { sessionId: session.sessionId } })).toBe(LIMIT);
    await session.complete();
  });
});

describe('ICE_SERVERS setting', () => {
  it('defaults to none and refuses anything but a JSON array of stun:/turn: servers', () => {
    expect(loadEnv({}).ICE_SERVERS).toEqual([]);
    expect(loadEnv({ ICE_SERVERS: JSON.stringify(ICE) }).ICE_SERVERS).toEqual(ICE);
    for (const bad of [
      'stun:x',
      '{"urls":"stun:x"}',
      '[{"urls":"https://x"}]',
      '[{"urls":"stun:x","x":1}]',
    ]) {
      expect(() => loadEnv({ ICE_SERVERS: bad }), bad).toThrow(/^invalid configuration: ICE_SERVERS/);
    }
  });
});
