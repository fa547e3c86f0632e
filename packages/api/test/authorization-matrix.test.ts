import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentWaiver } from '../src/queries/waiver-text.ts';
import { appRouter } from '../src/root.ts';
import { createTestApi, idempotencyKey, intake, type TestApi } from './harness.ts';

/** Who calls: anonymous, two customers, mechanics of workshops A and B, a virtual-only mechanic, an admin. */
const ACTORS = {
  anonymous: null,
  customerX: 'customer1@demo.test',
  customerY: 'customer2@demo.test',
  mechanicA: 'a1@demo.test',
  mechanicA2: 'a2@demo.test',
  mechanicB: 'b1@demo.test',
  virtual: 'virtual@demo.test',
  admin: 'admin@demo.test',
} as const;
type ActorName = keyof typeof ACTORS;
type Outcome = 'ok' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT';

let api: TestApi;
let workshopA: string;
beforeAll(async () => {
  api = await createTestApi();
  workshopA = (
    await api.database.db.workshop.findFirstOrThrow({ where: { name: { startsWith: 'Northside' } } })
  ).id;
});
afterAll(() => api?.close());

type Caller = Awaited<ReturnType<TestApi['as']>>;

/** A fresh resource per cell, owned by customer X, at workshop A: nothing one cell does leaks into another. */
async function fixture(
  kind:
    | 'queued'
    | 'pendingWaiver'
    | 'acceptedByA'
    | 'completedByA'
    | 'videoQueued'
    | 'videoAcceptedByA'
    | 'chatAcceptedByA',
) {
  const x = await api.as(ACTORS.customerX);
  const plan = kind === 'pendingWaiver' ? 'free' : 'paid';
  const remote = kind.startsWith('video') ? 'video' : kind.startsWith('chat') ? 'chat' : null;
  const booked = await x.session.create({
    intake: remote
      ? intake({ plan, sessionType: remote, workshopId: null })
      : intake({ plan, sessionType: 'in_person', workshopId: workshopA }),
    idempotencyKey: idempotencyKey(),
    allowAnotherOpen: true,
  });
  // An in-person visit blocks its mechanic: finish what an earlier cell left, so each cell starts free.
  const mechanicA = await api.as(ACTORS.mechanicA);
  // (Read from the table: "My sessions" lists only the newest 100, and the cells finish far more.)
  const live = await api.database.db.sessionAssignment.findMany({
    where: { mechanicId: (await api.user(ACTORS.mechanicA)).id, status: 'accepted' },
    select: { id: true },
  });
  for (const { id } of live) await mechanicA.assignment.complete({ assignmentId: id, ...COMPLETION });
  if (kind.endsWith('AcceptedByA') || kind === 'acceptedByA' || kind === 'completedByA')
    await mechanicA.assignment.accept({ assignmentId: booked.assignmentId });
  if (kind === 'completedByA')
    await mechanicA.assignment.complete({ assignmentId: booked.assignmentId, ...COMPLETION });
  return booked;
}

const COMPLETION = { outcome: 'resolved', note: 'Replaced the worn brake pads.' } as const;

/** Earlier cells set mechanics away; the admin-action cells need them available to accept. */
async function everyoneAvailable() {
  await api.database.db.mechanic.updateMany({ data: { availability: 'available', lastSeenAt: new Date() } });
}

interface Cell {
  call: (caller: Caller) => Promise<unknown>;
  expected: Record<ActorName, Outcome>;
}

const staffOnly = { anonymous: 'UNAUTHORIZED', customerX: 'FORBIDDEN', customerY: 'FORBIDDEN' } as const;
const signedIn = { anonymous: 'UNAUTHORIZED' } as const;
const everyone = (outcome: Outcome) =>
  Object.fromEntries(Object.keys(ACTORS).map((k) => [k, outcome])) as Record<ActorName, Outcome>;
const callMembersOnly = { ...everyone('NOT_FOUND'), ...signedIn, customerX: 'ok', mechanicA: 'ok' } as const;

const roomReaders: Record<ActorName, Outcome> = {
  ...everyone('NOT_FOUND'),
  ...signedIn,
  customerX: 'ok',
  mechanicA: 'ok',
  admin: 'ok',
};
const roomWriters: Record<ActorName, Outcome> = { ...roomReaders, admin: 'FORBIDDEN' };

const MATRIX: Record<string, () => Promise<Cell>> = {
  'auth.me': async () => ({ call: (c) => c.auth.me(), expected: everyone('ok') }),
  'auth.logOut': async () => ({ call: (c) => c.auth.logOut(), expected: everyone('ok') }),
  'auth.signUp': async () => ({
    call: (c) =>
      c.auth.signUp({
        email: `${idempotencyKey()}@new.test`,
        password: 'long-enough-1',
        displayName: 'New One',
      }),
    expected: everyone('ok'),
  }),
  'auth.logIn': async () => ({
    call: (c) => c.auth.logIn({ email: 'customer2@demo.test', password: 'demo-password-1' }),
    expected: everyone('ok'),
  }),
  'workshop.list': async () => ({ call: (c) => c.workshop.list(), expected: everyone('ok') }),
  'waiver.current': async () => ({ call: (c) => c.waiver.current(), expected: everyone('ok') }),
  'session.create': async () => ({
    call: (c) =>
      c.session.create({ intake: intake(), idempotencyKey: idempotencyKey(), allowAnotherOpen: true }),
    expected: { ...everyone('FORBIDDEN'), anonymous: 'UNAUTHORIZED', customerX: 'ok', customerY: 'ok' },
  }),
  'session.current': async () => ({
    call: (c) => c.session.current(),
    expected: { ...everyone('FORBIDDEN'), anonymous: 'UNAUTHORIZED', customerX: 'ok', customerY: 'ok' },
  }),
  'session.listMine': async () => ({
    call: (c) => c.session.listMine(),
    expected: { ...everyone('FORBIDDEN'), anonymous: 'UNAUTHORIZED', customerX: 'ok', customerY: 'ok' },
  }),
  'session.get (queued at workshop A)': async () => {
    const { sessionId } = await fixture('queued');
    return {
      call: (c) => c.session.get({ sessionId }),
      expected: {
        ...everyone('NOT_FOUND'),
        ...signedIn,
        customerX: 'ok',
        mechanicA: 'ok',
        mechanicA2: 'ok',
        admin: 'ok',
      },
    };
  },
  'session.get (accepted by A)': async () => {
    const { sessionId } = await fixture('acceptedByA');
    return {
      call: (c) => c.session.get({ sessionId }),
      expected: { ...everyone('NOT_FOUND'), ...signedIn, customerX: 'ok', mechanicA: 'ok', admin: 'ok' },
    };
  },
  'session.cancel': async () => {
    const { sessionId } = await fixture('queued');
    return {
      call: (c) => c.session.cancel({ sessionId, reason: 'matrix test' }),
      expected: {
        ...everyone('NOT_FOUND'),
        ...signedIn,
        customerX: 'ok',
        admin: 'ok',
        mechanicA: 'FORBIDDEN',
        mechanicA2: 'FORBIDDEN',
      },
    };
  },
  'waiver.sign': async () => {
    const { sessionId } = await fixture('pendingWaiver');
    return {
      call: (c) =>
        c.waiver.sign({
          sessionId,
          signerName: 'Dana Reyes',
          consent: true,
          waiverVersion: currentWaiver.version,
        }),
      expected: {
        ...everyone('FORBIDDEN'),
        anonymous: 'UNAUTHORIZED',
        customerX: 'ok',
        customerY: 'NOT_FOUND',
      },
    };
  },
  'queue.list': async () => ({ call: (c) => c.queue.list(), expected: { ...everyone('ok'), ...staffOnly } }),
  'assignment.accept': async () => {
    const { assignmentId } = await fixture('queued');
    return {
      call: (c) => c.assignment.accept({ assignmentId }),
      expected: {
        ...everyone('NOT_FOUND'),
        ...staffOnly,
        admin: 'FORBIDDEN',
        mechanicA: 'ok',
        mechanicA2: 'ok',
      },
    };
  },
  'assignment.decline (not offered)': async () => {
    const { assignmentId } = await fixture('queued');
    return {
      call: (c) => c.assignment.decline({ assignmentId }),
      expected: {
        ...everyone('NOT_FOUND'),
        ...staffOnly,
        admin: 'FORBIDDEN',
        mechanicA: 'CONFLICT',
        mechanicA2: 'CONFLICT',
      },
    };
  },
  'assignment.complete': async () => {
    const { assignmentId } = await fixture('acceptedByA');
    return {
      call: (c) => c.assignment.complete({ assignmentId, ...COMPLETION }),
      expected: { ...everyone('NOT_FOUND'), ...staffOnly, admin: 'FORBIDDEN', mechanicA: 'ok' },
    };
  },
  // The session's people only: its customer, the mechanic who took it, admins. Another customer or
  // a mechanic of the same workshop gets the unknown-id answer.
  'session.summary (accepted by A)': async () => {
    const { sessionId } = await fixture('acceptedByA');
    return {
      call: (c) => c.session.summary({ sessionId }),
      expected: { ...everyone('NOT_FOUND'), ...signedIn, customerX: 'ok', mechanicA: 'ok', admin: 'ok' },
    };
  },
  'session.summary (completed by A)': async () => {
    const { sessionId } = await fixture('completedByA');
    return {
      call: (c) => c.session.summary({ sessionId }),
      expected: { ...everyone('NOT_FOUND'), ...signedIn, customerX: 'ok', mechanicA: 'ok', admin: 'ok' },
    };
  },
  'session.contacts (accepted by A)': async () => {
    const { sessionId } = await fixture('acceptedByA');
    return {
      call: (c) => c.session.contacts({ sessionId }),
      expected: { ...everyone('NOT_FOUND'), ...signedIn, customerX: 'ok', mechanicA: 'ok', admin: 'ok' },
    };
  },
  'session.contacts (queued at workshop A)': async () => {
    // Mechanics who may take it see the request, so they may ask; the answer holds nothing yet
    // (no visit details, no phone before accept: see the completion tests).
    const { sessionId } = await fixture('queued');
    return {
      call: (c) => c.session.contacts({ sessionId }),
      expected: {
        ...everyone('NOT_FOUND'),
        ...signedIn,
        customerX: 'ok',
        mechanicA: 'ok',
        mechanicA2: 'ok',
        admin: 'ok',
      },
    };
  },
  'session.rate (completed by A)': async () => {
    const { sessionId } = await fixture('completedByA');
    return {
      call: (c) => c.session.rate({ sessionId, stars: 5, comment: 'Clear and quick' }),
      expected: {
        ...everyone('FORBIDDEN'),
        anonymous: 'UNAUTHORIZED',
        customerX: 'ok',
        customerY: 'NOT_FOUND',
      },
    };
  },
  'mechanic.finished': async () => ({
    call: (c) => c.mechanic.finished(),
    expected: { ...everyone('ok'), ...staffOnly, admin: 'FORBIDDEN' },
  }),
  'mechanic.setAvailability': async () => ({
    call: (c) => c.mechanic.setAvailability({ availability: 'away' }),
    expected: { ...everyone('ok'), ...staffOnly, admin: 'FORBIDDEN' },
  }),
  'mechanic.status': async () => ({
    call: (c) => c.mechanic.status(),
    expected: { ...everyone('ok'), ...staffOnly, admin: 'FORBIDDEN' },
  }),
  'mechanic.touch': async () => ({
    call: (c) => c.mechanic.touch(),
    expected: { ...everyone('ok'), ...staffOnly, admin: 'FORBIDDEN' },
  }),
  'push.publicKey': async () => ({ call: (c) => c.push.publicKey(), expected: everyone('ok') }),
  'push.subscribe': async () => ({
    call: (c) =>
      c.push.subscribe({
        endpoint: `https://push.example.test/${idempotencyKey()}`,
        keys: { p256dh: 'BPdummykey', auth: 'dummyauth' },
      }),
    expected: { ...everyone('ok'), ...signedIn },
  }),
  'push.unsubscribe': async () => ({
    call: (c) => c.push.unsubscribe({ endpoint: `https://push.example.test/${idempotencyKey()}` }),
    expected: { ...everyone('ok'), ...signedIn },
  }),
  'push.devices': async () => ({
    call: (c) => c.push.devices(),
    expected: { ...everyone('ok'), ...signedIn },
  }),
  'push.removeDevice': async () => ({
    // Someone else's device id removes nothing (and says so): it is never an error that leaks it exists.
    call: (c) => c.push.removeDevice({ id: '00000000-0000-4000-8000-000000000000' }),
    expected: { ...everyone('ok'), ...signedIn },
  }),
  'push.focus': async () => ({
    call: (c) => c.push.focus({ endpoint: 'https://push.example.test/none', focused: true }),
    expected: { ...everyone('ok'), ...signedIn },
  }),
  'admin.trail': async () => {
    const { sessionId } = await fixture('queued');
    return {
      call: (c) => c.admin.trail({ sessionId }),
      expected: { ...everyone('FORBIDDEN'), anonymous: 'UNAUTHORIZED', admin: 'ok' },
    };
  },
  'admin.mechanics': async () => ({
    call: (c) => c.admin.mechanics(),
    expected: { ...everyone('FORBIDDEN'), anonymous: 'UNAUTHORIZED', admin: 'ok' },
  }),
  'admin.whoCouldSee': async () => {
    const { sessionId } = await fixture('queued');
    return {
      call: (c) => c.admin.whoCouldSee({ sessionId }),
      expected: { ...everyone('FORBIDDEN'), anonymous: 'UNAUTHORIZED', admin: 'ok' },
    };
  },
  'receipts.report': async () => {
    // Any mechanic may report; a receipt for a request they could never see is ignored, not an error.
    const { sessionId } = await fixture('queued');
    return {
      call: (c) => c.receipts.report({ items: [{ sessionId, version: 0, channel: 'shown', ageMs: 0 }] }),
      expected: { ...everyone('ok'), ...staffOnly, admin: 'FORBIDDEN' },
    };
  },
  'admin.serviceLevel': async () => ({
    call: (c) => c.admin.serviceLevel(),
    expected: { ...everyone('FORBIDDEN'), anonymous: 'UNAUTHORIZED', admin: 'ok' },
  }),
  'admin.cancel': async () => {
    const { sessionId } = await fixture('queued');
    return {
      call: (c) => c.admin.cancel({ sessionId, reason: 'admin test' }),
      expected: { ...everyone('FORBIDDEN'), anonymous: 'UNAUTHORIZED', admin: 'ok' },
    };
  },
  'admin.reoffer': async () => {
    await everyoneAvailable();
    const { sessionId } = await fixture('acceptedByA');
    return {
      call: (c) => c.admin.reoffer({ sessionId, reason: 'admin test' }),
      expected: { ...everyone('FORBIDDEN'), anonymous: 'UNAUTHORIZED', admin: 'ok' },
    };
  },
  'admin.reassign': async () => {
    await everyoneAvailable();
    const { sessionId } = await fixture('acceptedByA');
    const mechanicId = (await api.user(ACTORS.mechanicA2)).id;
    // Free to take it: earlier cells may have left a2 with a live session or an open offer.
    await api.database.db.sessionAssignment.updateMany({
      where: { mechanicId, status: { in: ['accepted', 'offered'] } },
      data: { status: 'completed', offerExpiresAt: null },
    });
    await api.database.db.mechanic.update({
      where: { userId: mechanicId },
      data: { availability: 'available', lastSeenAt: api.clock.now },
    });
    return {
      call: (c) => c.admin.reassign({ sessionId, mechanicId, reason: 'admin test' }),
      expected: { ...everyone('FORBIDDEN'), anonymous: 'UNAUTHORIZED', admin: 'ok' },
    };
  },
  'admin.setCapacity': async () => {
    const mechanicId = (await api.user(ACTORS.mechanicB)).id;
    return {
      call: (c) => c.admin.setCapacity({ mechanicId, virtualCapacity: 2, reason: 'admin test' }),
      expected: { ...everyone('FORBIDDEN'), anonymous: 'UNAUTHORIZED', admin: 'ok' },
    };
  },
  'stats.waiting': async () => {
    const { sessionId } = await fixture('queued');
    return {
      call: (c) => c.stats.waiting({ sessionId }),
      expected: {
        ...everyone('NOT_FOUND'),
        anonymous: 'UNAUTHORIZED',
        customerX: 'ok',
        admin: 'ok',
      },
    };
  },
  'stats.public': async () => ({ call: (c) => c.stats.public(), expected: everyone('ok') }),
  'stats.mine': async () => ({
    call: (c) => c.stats.mine(),
    expected: { ...everyone('ok'), ...staffOnly, admin: 'FORBIDDEN' },
  }),
  'queue.onChange': async () => ({
    call: async (c) => {
      const iterable = await c.queue.onChange({});
      await (iterable as AsyncIterable<unknown>)[Symbol.asyncIterator]().return?.();
    },
    expected: { ...everyone('ok'), ...staffOnly },
  }),
  // The session room: its customer and its mechanic; admins read; everyone else as if it did not exist.
  'room.get (accepted by A)': async () => {
    const { sessionId } = await fixture('acceptedByA');
    return { call: (c) => c.room.get({ sessionId }), expected: roomReaders };
  },
  'room.get (queued, no room yet)': async () => {
    const { sessionId } = await fixture('queued');
    return { call: (c) => c.room.get({ sessionId }), expected: { ...everyone('NOT_FOUND'), ...signedIn } };
  },
  'room.history': async () => {
    const { sessionId } = await fixture('acceptedByA');
    return { call: (c) => c.room.history({ sessionId }), expected: roomReaders };
  },
  'room.send': async () => {
    const { sessionId } = await fixture('acceptedByA');
    return {
      call: (c) => c.room.send({ sessionId, clientKey: crypto.randomUUID(), body: 'Hello' }),
      expected: roomWriters,
    };
  },
  'room.mark': async () => {
    const { sessionId } = await fixture('acceptedByA');
    return { call: (c) => c.room.mark({ sessionId, read: '1' }), expected: roomWriters };
  },
  'room.unread': async () => ({ call: (c) => c.room.unread(), expected: { ...everyone('ok'), ...signedIn } }),
  'room.onMessage': async () => {
    const { sessionId } = await fixture('acceptedByA');
    return {
      call: async (c) => {
        const iterable = await c.room.onMessage({ sessionId });
        await (iterable as AsyncIterable<unknown>)[Symbol.asyncIterator]().return?.();
      },
      expected: roomReaders,
    };
  },
  // The video call: the session's customer and its assigned mechanic while it is an accepted video
  // session; everyone else (admins too) and every other session answer like an unknown id.
  'videoCall.config (accepted video)': async () => {
    const { sessionId } = await fixture('videoAcceptedByA');
    return { call: (c) => c.videoCall.config({ sessionId }), expected: callMembersOnly };
  },
  'videoCall.config (queued video)': async () => {
    const { sessionId } = await fixture('videoQueued');
    return {
      call: (c) => c.videoCall.config({ sessionId }),
      expected: { ...everyone('NOT_FOUND'), ...signedIn },
    };
  },
  'videoCall.config (accepted chat)': async () => {
    const { sessionId } = await fixture('chatAcceptedByA');
    return {
      call: (c) => c.videoCall.config({ sessionId }),
      expected: { ...everyone('NOT_FOUND'), ...signedIn },
    };
  },
  'videoCall.config (accepted in person)': async () => {
    const { sessionId } = await fixture('acceptedByA');
    return {
      call: (c) => c.videoCall.config({ sessionId }),
      expected: { ...everyone('NOT_FOUND'), ...signedIn },
    };
  },
  'videoCall.signal (accepted video)': async () => {
    const { sessionId } = await fixture('videoAcceptedByA');
    return {
      call: (c) =>
        c.videoCall.signal({
          sessionId,
          attempt: randomUUID(),
          to: null,
          signal: { kind: 'leave', payload: { reason: 'hangup' } },
        }),
      expected: callMembersOnly,
    };
  },
  'videoCall.signal (queued video)': async () => {
    const { sessionId } = await fixture('videoQueued');
    return {
      call: (c) =>
        c.videoCall.signal({
          sessionId,
          attempt: randomUUID(),
          to: null,
          signal: { kind: 'here', payload: {} },
        }),
      expected: { ...everyone('NOT_FOUND'), ...signedIn },
    };
  },
  'videoCall.onSignal (accepted video)': async () => {
    const { sessionId } = await fixture('videoAcceptedByA');
    return {
      call: async (c) => {
        const iterable = await c.videoCall.onSignal({ sessionId, attempt: randomUUID() });
        await (iterable as AsyncIterable<unknown>)[Symbol.asyncIterator]().return?.();
      },
      expected: callMembersOnly,
    };
  },
  'videoCall.onSignal (completed video)': async () => {
    const { sessionId, assignmentId } = await fixture('videoAcceptedByA');
    await (await api.as(ACTORS.mechanicA)).assignment.complete({ assignmentId, ...COMPLETION });
    return {
      call: async (c) => {
        const iterable = await c.videoCall.onSignal({ sessionId, attempt: randomUUID() });
        await (iterable as AsyncIterable<unknown>)[Symbol.asyncIterator]().return?.();
      },
      expected: { ...everyone('NOT_FOUND'), ...signedIn },
    };
  },
  'session.onChange': async () => ({
    call: async (c) => {
      const iterable = await c.session.onChange({});
      await (iterable as AsyncIterable<unknown>)[Symbol.asyncIterator]().return?.();
    },
    expected: { ...everyone('ok'), ...signedIn },
  }),
};

async function outcomeOf(promise: Promise<unknown>): Promise<Outcome | string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return error instanceof TRPCError ? error.code : String(error);
  }
}

describe('authorization matrix', () => {
  it('covers every procedure of the router', () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    const covered = new Set(Object.keys(MATRIX).map((name) => name.split(' ')[0]));
    expect(procedures.filter((p) => !covered.has(p))).toEqual([]);
  });

  const cells = Object.keys(MATRIX).flatMap((procedure) =>
    (Object.keys(ACTORS) as ActorName[]).map((actor) => ({ procedure, actor })),
  );
  it(`${cells.length} cells: each (procedure, actor) gets exactly the expected outcome`, async () => {
    const mismatches: string[] = [];
    for (const { procedure, actor } of cells) {
      const make = MATRIX[procedure];
      if (!make) continue;
      const cell = await make();
      const got = await outcomeOf(cell.call(await api.as(ACTORS[actor])));
      if (got !== cell.expected[actor])
        mismatches.push(`${procedure} as ${actor}: expected ${cell.expected[actor]}, got ${got}`);
    }
    console.info(`authorization matrix: ${cells.length} cells checked, ${mismatches.length} mismatches`);
    expect(mismatches).toEqual([]);
  });
});
