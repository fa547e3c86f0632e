import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '@dispatch/db/testing';
import type { RoomEvent, RoomMessage } from '@dispatch/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.ts';
import { client, freshDatabase, intake, logIn, start, waitFor } from './harness.ts';

let database: TestDatabase;
let server: RunningServer;
beforeAll(async () => {
  database = await freshDatabase();
  server = await start(database, { RATE_LIMIT_ROOM_MESSAGES_PER_MINUTE: '10000' });
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

/** Books as the customer and accepts as the mechanic: a room open to both. */
async function openRoom(customerEmail: string, mechanicEmail: string) {
  const customerCookie = (await logIn(server, customerEmail)).cookie;
  const mechanicCookie = (await logIn(server, mechanicEmail)).cookie;
  const customer = client(server, customerCookie);
  const mechanic = client(server, mechanicCookie);
  const booked = await customer.trpc.session.create.mutate({
    intake,
    idempotencyKey: `room-${randomUUID()}`,
    allowAnotherOpen: true,
  });
  await mechanic.trpc.assignment.accept.mutate({ assignmentId: booked.assignmentId });
  return { booked, customer, mechanic, customerCookie, mechanicCookie };
}

/** Every message a subscription delivered, in delivery order. */
function subscribe(c: ReturnType<typeof client>, sessionId: string) {
  const messages: RoomMessage[] = [];
  const events: RoomEvent[] = [];
  const errors: unknown[] = [];
  const sub = c.trpc.room.onMessage.subscribe(
    { sessionId },
    {
      onData: ({ data }) => {
        events.push(data);
        if (data.kind === 'message') messages.push(data.message);
      },
      onError: (error) => errors.push(error),
    },
  );
  return { messages, events, errors, stop: () => sub.unsubscribe() };
}

describe('room chat over real sockets', () => {
  it('two sockets through drops and a server restart: 0 lost, 0 duplicated, in order', async () => {
    const { booked, customer, mechanic } = await openRoom('customer1@demo.test', 'virtual@demo.test');
    const { sessionId } = booked;
    const atCustomer = subscribe(customer, sessionId);
    const atMechanic = subscribe(mechanic, sessionId);
    await waitFor(() => atCustomer.events.length > 0 && atMechanic.events.length > 0);

    // A client's outbox: the same key until the server answers, however long that takes.
    const send = async (from: ReturnType<typeof client>, body: string) => {
      const clientKey = randomUUID();
      for (let attempt = 0; ; attempt += 1) {
        try {
          return await from.trpc.room.send.mutate({ sessionId, clientKey, body });
        } catch (error) {
          if (attempt > 100) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    };
    let n = 0;
    const burst = async (count: number) => {
      for (let i = 0; i < count; i += 1) {
        n += 1;
        await send(n % 2 ? customer : mechanic, `message ${n}`);
      }
    };

    await burst(10);
    expect(server.dropAllSockets()).toBe(2);
    await burst(10);
    expect(server.dropAllSockets()).toBeGreaterThan(0);
    await burst(5);
    // A restart on the same port, while messages keep coming (sends retry with their key).
    const port = server.port;
    const sending = burst(10);
    await server.close();
    server = await start(database, { PORT: String(port), RATE_LIMIT_ROOM_MESSAGES_PER_MINUTE: '10000' });
    await sending;
    await burst(5);

    const stored = await database.db.roomMessage.findMany({
      where: { sessionId },
      orderBy: { position: 'asc' },
    });
    expect(stored.map((m) => m.body)).toEqual(Array.from({ length: 40 }, (_, i) => `message ${i + 1}`));
    await waitFor(() => atCustomer.messages.length >= 40 && atMechanic.messages.length >= 40, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const side of [atCustomer, atMechanic]) {
      expect(side.messages.map((m) => m.id)).toEqual(stored.map((m) => m.id));
      expect(side.errors).toEqual([]);
    }
    expect(atCustomer.messages.filter((m) => m.mine).length).toBe(20);
    expect(atMechanic.messages.filter((m) => m.mine).length).toBe(20);
    atCustomer.stop();
    atMechanic.stop();
    customer.close();
    mechanic.close();
  }, 60_000);

  it('the other side reads: the sender sees the read mark live, and unread counts fall to 0', async () => {
    const { booked, customer, mechanic } = await openRoom('customer2@demo.test', 'a1@demo.test');
    const { sessionId } = booked;
    const atCustomer = subscribe(customer, sessionId);
    const sent = await customer.trpc.room.send.mutate({ sessionId, clientKey: randomUUID(), body: 'Hello?' });
    expect((await mechanic.trpc.room.unread.query()).find((r) => r.sessionId === sessionId)?.unread).toBe(1);
    await mechanic.trpc.room.mark.mutate({ sessionId, delivered: sent.position });
    await waitFor(() =>
      atCustomer.events.some((e) => e.kind === 'state' && e.state.marks.otherDelivered === sent.position),
    );
    await mechanic.trpc.room.mark.mutate({ sessionId, read: sent.position });
    await waitFor(() =>
      atCustomer.events.some((e) => e.kind === 'state' && e.state.marks.otherRead === sent.position),
    );
    expect((await mechanic.trpc.room.unread.query()).find((r) => r.sessionId === sessionId)).toBeUndefined();
    atCustomer.stop();
    customer.close();
    mechanic.close();
  });

  it('an outsider subscribing gets NOT_FOUND and none of the messages', async () => {
    const { booked, customer, mechanic } = await openRoom('customer1@demo.test', 'b1@demo.test');
    const { sessionId } = booked;
    const outsider = client(server, (await logIn(server, 'customer2@demo.test')).cookie);
    const otherMechanic = client(server, (await logIn(server, 'a2@demo.test')).cookie);
    const spies = [subscribe(outsider, sessionId), subscribe(otherMechanic, sessionId)];
    await customer.trpc.room.send.mutate({
      sessionId,
      clientKey: randomUUID(),
      body: 'secret brake details',
    });
    await waitFor(() => spies.every((spy) => spy.errors.length > 0));
    for (const spy of spies) {
      expect(spy.events).toEqual([]);
      expect(String((spy.errors[0] as { data?: { code?: string } }).data?.code)).toBe('NOT_FOUND');
    }
    for (const c of [customer, mechanic, outsider, otherMechanic]) c.close();
  });
});

const PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 1, 2, 3,
]);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1]);

describe('room photos', () => {
  const upload = (cookie: string, sessionId: string, body: Uint8Array, type: string) =>
    fetch(`${server.url}/room-photos?sessionId=${sessionId}&clientKey=${randomUUID()}`, {
      method: 'POST',
      headers: { cookie, 'content-type': type },
      body,
    });

  it('a member sends a photo; only the room (and admins) can load it; limits are checked by bytes', async () => {
    const { booked, customer, mechanic, customerCookie, mechanicCookie } = await openRoom(
      'customer1@demo.test',
      'virtual@demo.test',
    );
    const { sessionId } = booked;
    const atMechanic = subscribe(mechanic, sessionId);
    const sent = await upload(customerCookie, sessionId, PNG, 'image/png');
    expect(sent.status).toBe(200);
    const { message } = (await sent.json()) as { message: RoomMessage };
    expect(message.photo).toEqual({
      type: 'image/png',
      bytes: PNG.byteLength,
      url: `/room-photos/${message.id}`,
    });
    await waitFor(() => atMechanic.messages.some((m) => m.id === message.id));

    const get = (cookie: string | null) =>
      fetch(`${server.url}${message.photo?.url}`, { headers: cookie ? { cookie } : {} });
    const mine = await get(mechanicCookie);
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-type')).toBe('image/png');
    expect(mine.headers.get('x-content-type-options')).toBe('nosniff');
    expect(new Uint8Array(await mine.arrayBuffer())).toEqual(PNG);
    expect((await get((await logIn(server, 'admin@demo.test')).cookie)).status).toBe(200);
    for (const email of ['customer2@demo.test', 'a1@demo.test']) {
      const outsider = await get((await logIn(server, email)).cookie);
      expect(outsider.status).toBe(404);
      expect(await outsider.text()).not.toContain('PNG');
    }
    expect((await get(null)).status).toBe(401);
    const unknown = await fetch(`${server.url}/room-photos/${randomUUID()}`, {
      headers: { cookie: mechanicCookie },
    });
    expect(unknown.status).toBe(404);

    // Type by magic bytes: text, a JPEG labelled PNG, a GIF; size; outsiders and a closed room.
    const text = new TextEncoder().encode('<svg onload=alert(1)>');
    expect((await upload(customerCookie, sessionId, text, 'image/png')).status).toBe(400);
    expect((await upload(customerCookie, sessionId, JPEG, 'image/png')).status).toBe(400);
    expect(
      (await upload(customerCookie, sessionId, new TextEncoder().encode('GIF89a...'), 'image/gif')).status,
    ).toBe(400);
    expect((await upload(customerCookie, sessionId, JPEG, 'image/jpeg')).status).toBe(200);
    const big = new Uint8Array(5 * 1024 * 1024 + 1);
    big.set(JPEG);
    const tooBig = await upload(customerCookie, sessionId, big, 'image/jpeg');
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { error: { message: string } }).error.message).toContain('at most 5 MB');
    const outsiderCookie = (await logIn(server, 'customer2@demo.test')).cookie;
    expect((await upload(outsiderCookie, sessionId, PNG, 'image/png')).status).toBe(404);
    expect((await upload(outsiderCookie, randomUUID(), PNG, 'image/png')).status).toBe(404);
    const crossSite = await fetch(
      `${server.url}/room-photos?sessionId=${sessionId}&clientKey=${randomUUID()}`,
      {
        method: 'POST',
        headers: { cookie: customerCookie, 'content-type': 'image/png', origin: 'https://evil.example' },
        body: PNG,
      },
    );
    expect(crossSite.status).toBe(403);
    await mechanic.trpc.assignment.complete.mutate({
      assignmentId: booked.assignmentId,
      outcome: 'resolved',
      note: 'Sorted out over chat.',
    });
    expect((await upload(customerCookie, sessionId, PNG, 'image/png')).status).toBe(409);
    expect((await get(customerCookie)).status).toBe(200);
    const photos = await database.db.roomMessage.count({ where: { sessionId, NOT: { photoId: null } } });
    expect(photos).toBe(2);
    atMechanic.stop();
    customer.close();
    mechanic.close();
  });
});
