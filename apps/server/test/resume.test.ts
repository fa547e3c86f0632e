import type { TestDatabase } from '@dispatch/db/testing';
import type { QueueEvent } from '@dispatch/domain';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.ts';
import { client, freshDatabase, intake, logIn, start, waitFor } from './harness.ts';

let database: TestDatabase;
let first: RunningServer;
let second: RunningServer;
beforeAll(async () => {
  database = await freshDatabase();
  [first, second] = await Promise.all([start(database), start(database)]);
});
afterAll(async () => {
  await Promise.all([first?.close(), second?.close()]);
  await database?.drop();
});

it('a client resumes on another process from its last position: nothing lost, nothing twice', async () => {
  const customer = client(second, (await logIn(second, 'customer1@demo.test')).cookie);
  const book = (n: number) =>
    customer.trpc.session.create.mutate({
      intake,
      idempotencyKey: `resume-test-${n}-${Date.now()}`,
      allowAnotherOpen: true,
    });

  const cookieOnFirst = (await logIn(first, 'virtual@demo.test')).cookie;
  const onFirst = client(first, cookieOnFirst);
  const { position } = await onFirst.trpc.queue.list.query();
  const received: { id: string; data: QueueEvent }[] = [];
  const sub = onFirst.trpc.queue.onChange.subscribe(
    { lastEventId: position },
    { onData: (e) => received.push(e) },
  );

  const before = [await book(1), await book(2)];
  await waitFor(() => received.length >= 2);
  sub.unsubscribe();
  onFirst.close();
  const lastEventId = received.at(-1)?.id ?? '';

  const missed = [await book(3), await book(4), await book(5)];
  const onSecond = client(second, cookieOnFirst);
  const resumed: { id: string; data: QueueEvent }[] = [];
  const sub2 = onSecond.trpc.queue.onChange.subscribe({ lastEventId }, { onData: (e) => resumed.push(e) });
  await waitFor(() => resumed.length >= 3);
  const live = await book(6);
  await waitFor(() => resumed.length >= 4);
  await new Promise((resolve) => setTimeout(resolve, 200));
  sub2.unsubscribe();
  onSecond.close();
  customer.close();

  const ids = (events: { data: QueueEvent }[]) =>
    events.map((e) =>
      e.data.kind === 'upsert'
        ? e.data.card.assignmentId
        : e.data.kind === 'removed'
          ? e.data.assignmentId
          : 'resync',
    );
  expect(ids(received)).toEqual(before.map((b) => b.assignmentId));
  expect(ids(resumed)).toEqual([...missed, live].map((b) => b.assignmentId));
});

it('when the server goes away, wsLink reconnects to it and resumes from its last event id', async () => {
  const mechanic = client(first, (await logIn(first, 'a1@demo.test')).cookie);
  const customer = client(second, (await logIn(second, 'customer2@demo.test')).cookie);
  const { position } = await mechanic.trpc.queue.list.query();
  const received: string[] = [];
  const sub = mechanic.trpc.queue.onChange.subscribe(
    { lastEventId: position },
    {
      onData: (e) =>
        received.push(
          e.data.kind === 'upsert'
            ? e.data.card.assignmentId
            : e.data.kind === 'removed'
              ? e.data.assignmentId
              : 'resync',
        ),
    },
  );
  const a = await customer.trpc.session.create.mutate({
    intake,
    idempotencyKey: `drop-a-${Date.now()}`,
    allowAnotherOpen: true,
  });
  await waitFor(() => received.length >= 1);

  // Cut every socket of the first process from the server side.
  const terminated = first.dropAllSockets();
  expect(terminated).toBeGreaterThan(0);
  const b = await customer.trpc.session.create.mutate({
    intake,
    idempotencyKey: `drop-b-${Date.now()}`,
    allowAnotherOpen: true,
  });
  await waitFor(() => received.length >= 2, 8000);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(received).toEqual([a.assignmentId, b.assignmentId]);
  sub.unsubscribe();
  mechanic.close();
  customer.close();
});
