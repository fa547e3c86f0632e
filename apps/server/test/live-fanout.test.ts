import type { AddressInfo } from 'node:net';
import type { TestDatabase } from '@dispatch/db/testing';
import { initTRPC, tracked } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { z } from 'zod';
import type { RunningServer } from '../src/server.ts';
import { client, freshDatabase, intake, logIn, start, waitFor } from './harness.ts';

/**
 * The queue's live path: at the head of the log, the fan-out writes each subscription's frames
 * itself (one projection per class of viewer). A client must not be able to tell: the same
 * bytes as tRPC's own frames, each subscription under its own id, nothing lost or twice.
 */

let database: TestDatabase;
let server: RunningServer;

beforeAll(async () => {
  database = await freshDatabase();
  server = await start(database);
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

/** A raw socket that keeps every text frame it gets, by subscription id. */
function rawSocket(cookie: string) {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/trpc`, { headers: { cookie } });
  const frames = new Map<string, string[]>();
  ws.on('message', (raw, isBinary) => {
    expect(isBinary).toBe(false);
    const text = String(raw);
    if (text === 'PING') return void ws.send('PONG');
    const message = JSON.parse(text) as { id: string | number; result?: { type: string } };
    if (message.result?.type !== 'data') return;
    const key = String(message.id);
    frames.set(key, [...(frames.get(key) ?? []), text]);
  });
  const opened = new Promise((resolve) => ws.once('open', resolve));
  return { ws, frames, opened };
}

const subscription = (
  id: string | number,
  lastEventId: string,
  jsonrpc?: '2.0',
  path = 'queue.onChange',
) => ({
  id,
  ...(jsonrpc ? { jsonrpc } : {}),
  method: 'subscription',
  params: { path, input: { lastEventId } },
});

/**
 * What tRPC's own ws adapter sends for a subscription with this id that yields each frame's
 * `tracked(cursor, payload)`: a throwaway tRPC server with no transformer, like the app's router.
 */
async function framesFromTrpcAdapter(
  id: string | number,
  frames: string[],
  jsonrpc?: '2.0',
  path = 'queue.onChange',
) {
  const t = initTRPC.create();
  const events = frames.map(
    (frame) => (JSON.parse(frame) as { result: { id: string; data: { data: unknown } } }).result,
  );
  const onChange = t.procedure.input(z.unknown()).subscription(async function* () {
    for (const event of events) yield tracked(event.id, event.data.data);
  });
  const router = t.router({ queue: t.router({ onChange }), session: t.router({ onChange }) });
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  const handler = applyWSSHandler({ wss, router });
  await new Promise((resolve) => wss.once('listening', resolve));
  const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const got: string[] = [];
  ws.on('message', (raw) => {
    const text = String(raw);
    if ((JSON.parse(text) as { result?: { type: string } }).result?.type === 'data') got.push(text);
  });
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify(subscription(id, '0', jsonrpc, path)));
  await waitFor(() => got.length >= frames.length);
  ws.close();
  handler.broadcastReconnectNotification();
  await new Promise((resolve) => wss.close(resolve));
  return got;
}

const cursorOf = (frame: string) => (JSON.parse(frame) as { result: { id: string } }).result.id;
const payloadOf = (frame: string) =>
  (JSON.parse(frame) as { result: { data: { data: { kind: string } } } }).result.data.data;

describe('the live fan-out', () => {
  it('writes tRPC’s own frames to every subscription at the head, each under its own id', async () => {
    const virtual = await logIn(server, 'virtual@demo.test');
    const workshop = await logIn(server, 'a1@demo.test');
    const customer = await logIn(server, 'customer1@demo.test');
    const mechanicApi = client(server, virtual.cookie);
    const { position } = await mechanicApi.trpc.queue.list.query();
    const fanOut = server.services.fanOut;
    if (!fanOut) throw new Error('the server runs without a fan-out');
    const before = fanOut.size;

    // Two subscriptions on one socket, started by one batch message; a third viewer elsewhere.
    const mine = rawSocket(virtual.cookie);
    const other = rawSocket(workshop.cookie);
    await Promise.all([mine.opened, other.opened]);
    mine.ws.send(JSON.stringify([subscription(7, position), subscription('b', position, '2.0')]));
    other.ws.send(JSON.stringify(subscription(1, position)));
    await waitFor(() => fanOut.size === before + 3);

    const customerApi = client(server, customer.cookie);
    const booked = [];
    for (let n = 0; n < 3; n += 1) {
      booked.push(
        await customerApi.trpc.session.create.mutate({
          intake,
          idempotencyKey: `live-fanout-${n}`,
          allowAnotherOpen: true,
        }),
      );
    }
    // An event that names the virtual mechanic (projected for them alone) and not the other.
    await mechanicApi.trpc.assignment.accept.mutate({ assignmentId: booked[1]?.assignmentId ?? '' });
    await waitFor(
      () =>
        (mine.frames.get('7')?.length ?? 0) >= 4 &&
        (mine.frames.get('b')?.length ?? 0) >= 4 &&
        (other.frames.get('1')?.length ?? 0) >= 4,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));

    const seven = mine.frames.get('7') ?? [];
    const b = mine.frames.get('b') ?? [];
    const one = other.frames.get('1') ?? [];
    expect(seven).toHaveLength(4);
    expect(b).toHaveLength(4);
    expect(one).toHaveLength(4);
    // The same events, in order, once, to each subscription.
    const cursors = seven.map(cursorOf);
    expect(new Set(cursors).size).toBe(4);
    expect([...cursors].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1))).toEqual(cursors);
    expect(b.map(cursorOf)).toEqual(cursors);
    expect(one.map(cursorOf)).toEqual(cursors);
    // Each under its own id (and JSON-RPC marker), the rest of the frame identical.
    for (const [i, frame] of b.entries()) {
      expect(frame.startsWith('{"id":"b","jsonrpc":"2.0","result":')).toBe(true);
      expect(frame.slice(frame.indexOf('"result":'))).toBe(seven[i]?.slice(seven[i].indexOf('"result":')));
    }
    // The accept: the card for its mechanic, a bare removal for the mechanic who lost sight of it.
    expect(payloadOf(seven[3] ?? '')).toMatchObject({ kind: 'upsert', card: { status: 'accepted' } });
    expect(payloadOf(one[3] ?? '')).toEqual({
      kind: 'removed',
      assignmentId: booked[1]?.assignmentId,
      reason: 'taken',
    });

    // The same events replayed (a client resuming from before them): the pull loop writes them
    // straight to the socket too, and they are the same bytes.
    const replay = rawSocket(virtual.cookie);
    await replay.opened;
    replay.ws.send(JSON.stringify(subscription(7, position)));
    await waitFor(() => (replay.frames.get('7')?.length ?? 0) >= 4);
    expect(replay.frames.get('7')).toEqual(seven);

    // And tRPC's own ws adapter, yielding `tracked(cursor, payload)` for the same events under the
    // same ids, sends exactly these bytes: the reference both direct paths must match.
    expect(await framesFromTrpcAdapter(7, seven)).toEqual(seven);
    expect(await framesFromTrpcAdapter('b', b, '2.0')).toEqual(b);

    for (const socket of [mine, other, replay]) socket.ws.close();
    mechanicApi.close();
    customerApi.close();
    await waitFor(() => fanOut.size === before);
  });

  it('a customer’s session.onChange, live and replayed, is tRPC’s own frames too', async () => {
    const customer = await logIn(server, 'customer2@demo.test');
    const customerApi = client(server, customer.cookie);
    const mechanicApi = client(server, (await logIn(server, 'virtual@demo.test')).cookie);
    const { position } = await mechanicApi.trpc.queue.list.query();
    const live = rawSocket(customer.cookie);
    await live.opened;
    live.ws.send(JSON.stringify(subscription(3, position, undefined, 'session.onChange')));
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const n of [1, 2]) {
      await customerApi.trpc.session.create.mutate({
        intake,
        idempotencyKey: `live-fanout-customer-${n}`,
        allowAnotherOpen: true,
      });
    }
    await waitFor(() => (live.frames.get('3')?.length ?? 0) >= 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const frames = live.frames.get('3') ?? [];
    expect(frames.length).toBeGreaterThanOrEqual(2);
    const replay = rawSocket(customer.cookie);
    await replay.opened;
    replay.ws.send(JSON.stringify(subscription(3, position, undefined, 'session.onChange')));
    await waitFor(() => (replay.frames.get('3')?.length ?? 0) >= frames.length);
    expect(replay.frames.get('3')).toEqual(frames);
    expect(await framesFromTrpcAdapter(3, frames, undefined, 'session.onChange')).toEqual(frames);
    for (const socket of [live, replay]) socket.ws.close();
    customerApi.close();
    mechanicApi.close();
  });

  it('a stopped subscription leaves the fan-out and its socket gets nothing more for it', async () => {
    const virtual = await logIn(server, 'virtual@demo.test');
    const customer = await logIn(server, 'customer2@demo.test');
    const api = client(server, virtual.cookie);
    const { position } = await api.trpc.queue.list.query();
    api.close();
    const fanOut = server.services.fanOut;
    if (!fanOut) throw new Error('the server runs without a fan-out');
    const before = fanOut.size;
    const socket = rawSocket(virtual.cookie);
    await socket.opened;
    socket.ws.send(JSON.stringify([subscription(1, position), subscription(2, position)]));
    await waitFor(() => fanOut.size === before + 2);
    socket.ws.send(JSON.stringify({ id: 1, method: 'subscription.stop' }));
    await waitFor(() => fanOut.size === before + 1);

    const customerApi = client(server, customer.cookie);
    await customerApi.trpc.session.create.mutate({
      intake,
      idempotencyKey: 'after-stop',
      allowAnotherOpen: true,
    });
    await waitFor(() => (socket.frames.get('2')?.length ?? 0) >= 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(socket.frames.get('1')).toBeUndefined();
    expect(socket.frames.get('2')).toHaveLength(1);
    socket.ws.close();
    customerApi.close();
    await waitFor(() => fanOut.size === before);
  });
});
