// Issue #17 item 1: the write path in few round trips. Every SQL query the API's own pools send
// (Prisma's and the shared rate limiter's) is counted, so a mutation that grows a query fails here.
// Calls go through createContextFactory as HTTP requests do: the auth lookup is part of the count.
import type { IncomingMessage } from 'node:http';
import { createDb, type Db, DEMO_PASSWORD, seed } from '@dispatch/db';
import {
  createTestDatabase,
  type RoundTripCounter,
  roundTripCounter,
  type TestDatabase,
} from '@dispatch/db/testing';
import { TRPCError } from '@trpc/server';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthSessions } from '../src/auth/auth-sessions.ts';
import type { CommandError } from '../src/commands/errors.ts';
import type { ApiConfig, Services } from '../src/context.ts';
import { createContextFactory } from '../src/create-context.ts';
import { Dispatcher } from '../src/dispatch/dispatcher.ts';
import { Admission } from '../src/errors/admission.ts';
import { EventHub } from '../src/log/hub.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { assignmentRowInclude, loadAssignment } from '../src/queries/rows.ts';
import { currentWaiver } from '../src/queries/waiver-text.ts';
import { appRouter } from '../src/root.ts';
import { memoryRateLimiter, type RateLimiter, sharedRateLimiter } from '../src/security/rate-limit.ts';
import { createCallerFactory } from '../src/trpc.ts';
import { completion, errorOf, idempotencyKey, intake, log } from './harness.ts';

const createCaller = createCallerFactory(appRouter);
const MAX_ROUND_TRIPS = 3;

/** One server process's services on the shared test database, its SQL counted. */
interface Process {
  services: Services;
  counter: RoundTripCounter;
  /** A call as an HTTP request with this cookie makes it (null: no cookie). */
  as(cookie: string | null): Promise<ReturnType<typeof createCaller>>;
  /** Logs in (or signs up) through this process; answers the cookie it set. */
  logIn(email: string): Promise<string>;
  signUp(email: string): Promise<string>;
  /** A new, empty auth cache: the next request of every cookie looks its session up. */
  forgetSessions(): void;
  close(): Promise<void>;
}

let database: TestDatabase;
const processes: Process[] = [];

async function startProcess(
  options: {
    config?: Partial<ApiConfig>;
    rateLimiter?: (pool: pg.Pool) => RateLimiter;
    admission?: Admission;
  } = {},
): Promise<Process> {
  const counter = roundTripCounter();
  const db: Db = createDb(database.url, { poolSize: 5, Client: counter.Client });
  const rateLimitPool = new pg.Pool({ connectionString: database.url, max: 2, Client: counter.Client });
  const hub = new EventHub({ connectionString: database.url, log, pollIntervalMs: 200 });
  await hub.start();
  const services: Services = {
    db,
    hub,
    auth: new AuthSessions(db, hub, () => new Date()),
    admission: options.admission ?? new Admission({ concurrency: 5, queue: 1000, maxWaitMs: 30_000 }),
    log,
    now: () => new Date(),
    // The server's limiter (counters in the rate_limits table), so its round trip is counted too.
    rateLimiter:
      options.rateLimiter?.(rateLimitPool) ?? sharedRateLimiter(rateLimitPool, { signUp: 1000, logIn: 1000 }),
    metrics: createMetrics('test'),
    config: {
      dispatchMode: 'broadcast',
      offerTimeoutMs: 30_000,
      queueTimeoutMs: 15 * 60_000,
      allowedOrigins: [],
      ...options.config,
    },
  };
  const createContext = createContextFactory(services);
  const as = async (cookie: string | null, setCookie?: (header: string) => void) => {
    const req = {
      headers: { ...(cookie ? { cookie } : {}), 'user-agent': 'vitest' },
      socket: { remoteAddress: '127.0.0.1' },
    } as unknown as IncomingMessage;
    const ctx = await createContext({ req });
    return createCaller(setCookie ? { ...ctx, setCookie } : ctx);
  };
  const cookieFrom = async (run: (caller: ReturnType<typeof createCaller>) => Promise<unknown>) => {
    let cookie = '';
    await run(
      await as(null, (header) => {
        cookie = header.split(';')[0] ?? '';
      }),
    );
    expect(cookie).toMatch(/^dispatch_sid=/);
    return cookie;
  };
  const process: Process = {
    services,
    counter,
    as: (cookie) => as(cookie),
    logIn: (email) => cookieFrom((c) => c.auth.logIn({ email, password: DEMO_PASSWORD })),
    signUp: (email) =>
      cookieFrom((c) => c.auth.signUp({ email, password: DEMO_PASSWORD, displayName: 'New Customer' })),
    forgetSessions: () => {
      services.auth = new AuthSessions(db, hub, () => new Date());
    },
    close: async () => {
      await hub.stop();
      await db.$disconnect();
      await rateLimitPool.end();
    },
  };
  processes.push(process);
  return process;
}

/** The SQL a call sends, and its answer. */
async function counted<T>(process: Process, run: () => Promise<T>): Promise<{ value: T; sql: string[] }> {
  process.counter.reset();
  const value = await run();
  return { value, sql: process.counter.statements() };
}

const newEmail = () => `${idempotencyKey()}@write-path.test`.toLowerCase();

const refusalOf = (error: TRPCError) => (error.cause as CommandError | undefined)?.details.refusal;

let main: Process;
beforeAll(async () => {
  database = await createTestDatabase();
  await seed(database.db);
  await database.db.mechanic.updateMany({ data: { virtualCapacity: 1000, availability: 'available' } });
  main = await startProcess();
});
afterAll(async () => {
  for (const process of processes) await process.close();
  await database?.drop();
});

describe(`SQL round trips per mutation of a full flow (at most ${MAX_ROUND_TRIPS}, auth included)`, () => {
  it('right after sign-up and log-in (the auth cache holds the new sessions): 2 each, no auth lookup', async () => {
    const customer = await main.signUp(newEmail());
    const mechanic = await main.logIn('virtual@demo.test');

    const create = await counted(main, async () =>
      (await main.as(customer)).session.create({
        intake: intake({ plan: 'free' }),
        idempotencyKey: idempotencyKey(),
      }),
    );
    const sign = await counted(main, async () =>
      (await main.as(customer)).waiver.sign({
        sessionId: create.value.sessionId,
        signerName: 'Ana Ortiz',
        consent: true,
        waiverVersion: currentWaiver.version,
      }),
    );
    const accept = await counted(main, async () =>
      (await main.as(mechanic)).assignment.accept({ assignmentId: create.value.assignmentId }),
    );
    expect(create.value.assignmentStatus).toBe('pending_waiver');
    expect(sign.value.assignmentStatus).toBe('queued');
    expect(accept.value?.status).toBe('accepted');
    for (const [name, call] of Object.entries({ create, sign, accept })) {
      expect(call.sql.length, `${name}: ${call.sql.join(' | ')}`).toBeLessThanOrEqual(MAX_ROUND_TRIPS);
      expect(
        call.sql.filter((sql) => /auth_sessions/.test(sql)),
        name,
      ).toEqual([]);
    }
    // What they are: the booking limit's counter and the booking statement; the read and the write.
    expect(create.sql).toHaveLength(2);
    expect(sign.sql).toHaveLength(2);
    expect(accept.sql).toHaveLength(2);
  });

  it('with a cold auth cache (a process that has not seen the cookie): at most 3 each, one the lookup', async () => {
    const customer = await main.signUp(newEmail());
    const mechanic = await main.logIn('virtual@demo.test');
    const cold = async <T>(run: () => Promise<T>) => {
      main.forgetSessions();
      const call = await counted(main, run);
      expect(call.sql.filter((sql) => /auth_sessions/.test(sql))).toHaveLength(1);
      expect(call.sql.length, call.sql.join(' | ')).toBeLessThanOrEqual(MAX_ROUND_TRIPS);
      return call.value;
    };
    const booked = await cold(async () =>
      (await main.as(customer)).session.create({
        intake: intake({ plan: 'free' }),
        idempotencyKey: idempotencyKey(),
      }),
    );
    await cold(async () =>
      (await main.as(customer)).waiver.sign({
        sessionId: booked.sessionId,
        signerName: 'Ana Ortiz',
        consent: true,
        waiverVersion: currentWaiver.version,
      }),
    );
    const accepted = await cold(async () =>
      (await main.as(mechanic)).assignment.accept({ assignmentId: booked.assignmentId }),
    );
    expect(accepted?.status).toBe('accepted');
  });
});

describe('booking in one statement (create_session)', () => {
  it("answers with what it wrote: the same details session.get reads back, the event's card included", async () => {
    const customer = await main.signUp(newEmail());
    const workshop = await database.db.workshop.findFirstOrThrow({
      where: { name: { startsWith: 'Northside' } },
    });
    for (const given of [
      intake({ plan: 'free' }),
      intake({ plan: 'paid', urgent: true }),
      intake({ plan: 'paid', sessionType: 'in_person', workshopId: workshop.id }),
    ]) {
      const caller = await main.as(customer);
      const created = await caller.session.create({
        intake: given,
        idempotencyKey: idempotencyKey(),
        allowAnotherOpen: true,
      });
      const { position: _position, ...read } = await caller.session.get({ sessionId: created.sessionId });
      expect(created).toEqual(read);
      const row = await loadAssignment(database.db, { sessionId: created.sessionId });
      const event = await database.db.assignmentEvent.findFirstOrThrow({
        where: { sessionId: created.sessionId },
      });
      expect((event.data as { card: { workshop: unknown } }).card.workshop).toEqual(
        given.workshopId ? { id: workshop.id, name: workshop.name } : null,
      );
      expect(row?.session.workshop ?? null).toEqual(
        given.workshopId ? { id: workshop.id, name: workshop.name } : null,
      );
    }
  });

  it('an unknown workshop is a BAD_REQUEST on intake.workshopId, and nothing is written', async () => {
    const email = newEmail();
    const caller = await main.as(await main.signUp(email));
    const error = await errorOf(
      caller.session.create({
        intake: intake({ sessionType: 'in_person', workshopId: '00000000-0000-4000-8000-000000000000' }),
        idempotencyKey: idempotencyKey(),
      }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toBe('That workshop does not exist.');
    const user = await database.db.user.findUniqueOrThrow({ where: { email } });
    expect(await database.db.helpSession.count({ where: { customerId: user.id } })).toBe(0);
  });

  it('a key reused with another intake is refused (idempotency_key_reused), with or without allowAnotherOpen', async () => {
    const caller = await main.as(await main.signUp(newEmail()));
    const key = idempotencyKey();
    const first = await caller.session.create({ intake: intake(), idempotencyKey: key });
    for (const allowAnotherOpen of [false, true]) {
      expect(
        (await caller.session.create({ intake: intake(), idempotencyKey: key, allowAnotherOpen })).sessionId,
      ).toBe(first.sessionId);
      for (const other of [
        intake({ concern: 'Something else is wrong now' }),
        intake({ callbackPhone: null }),
        intake({ urgent: true }),
      ]) {
        const error = await errorOf(
          caller.session.create({ intake: other, idempotencyKey: key, allowAnotherOpen }),
        );
        expect(error.code).toBe('CONFLICT');
        expect(refusalOf(error)).toBe('idempotency_key_reused');
        expect(error.message).toBe(
          'This booking key was already used for a different request. Start a new booking instead.',
        );
      }
    }
  });

  it('an open request refuses a second booking unless the customer chose it', async () => {
    const caller = await main.as(await main.signUp(newEmail()));
    await caller.session.create({ intake: intake(), idempotencyKey: idempotencyKey() });
    const error = await errorOf(
      caller.session.create({ intake: intake(), idempotencyKey: idempotencyKey() }),
    );
    expect(error.code).toBe('CONFLICT');
    expect(refusalOf(error)).toBe('open_request_exists');
    expect(error.message).toBe(
      'You already have an open request. Open it from My requests, or confirm that you want a second one.',
    );
    await caller.session.create({
      intake: intake(),
      idempotencyKey: idempotencyKey(),
      allowAnotherOpen: true,
    });
  });

  it('two tabs, each retrying its own key at once: one booking, every call of its key answered with it', async () => {
    for (let round = 0; round < 8; round += 1) {
      const email = newEmail();
      const cookie = await main.signUp(email);
      const keys = [idempotencyKey(), idempotencyKey()];
      const calls = keys.flatMap((key) =>
        Array.from({ length: 3 }, async () =>
          (await main.as(cookie)).session.create({ intake: intake(), idempotencyKey: key }),
        ),
      );
      const answers = await Promise.allSettled(calls);
      const made = answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value.sessionId] : []));
      expect(new Set(made).size, `round ${round}`).toBe(1);
      for (const answer of answers) {
        if (answer.status === 'fulfilled') continue;
        expect(answer.reason).toBeInstanceOf(TRPCError);
        expect(refusalOf(answer.reason as TRPCError)).toBe('open_request_exists');
      }
      // Every call under the winning key got the booking; the other key's calls were all refused.
      const winners = answers.slice(0, 3).every((a) => a.status === 'fulfilled') ? 0 : 1;
      expect(answers.slice(winners * 3, winners * 3 + 3).every((a) => a.status === 'fulfilled')).toBe(true);
      const user = await database.db.user.findUniqueOrThrow({ where: { email } });
      expect(await database.db.helpSession.count({ where: { customerId: user.id } })).toBe(1);
      expect(await database.db.assignmentEvent.count({ where: { sessionId: made[0] } })).toBe(1);
    }
  });

  it('retries of one key at once, some allowing another open request and some not: one booking', async () => {
    for (let round = 0; round < 5; round += 1) {
      const email = newEmail();
      const cookie = await main.signUp(email);
      const key = idempotencyKey();
      const answers = await Promise.all(
        Array.from({ length: 6 }, async (_, i) =>
          (await main.as(cookie)).session.create({
            intake: intake(),
            idempotencyKey: key,
            allowAnotherOpen: i % 2 === 0,
          }),
        ),
      );
      expect(new Set(answers.map((a) => a.sessionId)).size).toBe(1);
      const user = await database.db.user.findUniqueOrThrow({ where: { email } });
      expect(await database.db.helpSession.count({ where: { customerId: user.id } })).toBe(1);
    }
  });

  it('a retry is not counted against the booking limit: it is given back, and still answered once the limit is used', async () => {
    const limited = await startProcess({
      rateLimiter: () => memoryRateLimiter({ logIn: 100, signUp: 100, createSession: 2 }),
    });
    const caller = await limited.as(await limited.signUp(newEmail()));
    const key = idempotencyKey();
    const first = await caller.session.create({
      intake: intake(),
      idempotencyKey: key,
      allowAnotherOpen: true,
    });
    for (let retry = 0; retry < 4; retry += 1) {
      const again = await caller.session.create({
        intake: intake(),
        idempotencyKey: key,
        allowAnotherOpen: true,
      });
      expect(again.sessionId).toBe(first.sessionId);
    }
    // One attempt counted so far: the second booking goes through, the third is refused.
    await caller.session.create({
      intake: intake(),
      idempotencyKey: idempotencyKey(),
      allowAnotherOpen: true,
    });
    const refused = await errorOf(
      caller.session.create({ intake: intake(), idempotencyKey: idempotencyKey(), allowAnotherOpen: true }),
    );
    expect(refused.code).toBe('TOO_MANY_REQUESTS');
    expect((await caller.session.create({ intake: intake(), idempotencyKey: key })).sessionId).toBe(
      first.sessionId,
    );
    const reused = await errorOf(
      caller.session.create({ intake: intake({ concern: 'Another thing entirely' }), idempotencyKey: key }),
    );
    expect(refusalOf(reused)).toBe('idempotency_key_reused');
  });
});

describe('the auth cache', () => {
  it("a log-in caches the user exactly as a lookup would build them (a mechanic's viewer included)", async () => {
    for (const email of ['virtual@demo.test', 'a1@demo.test', 'customer1@demo.test', 'admin@demo.test']) {
      const cookie = await main.logIn(email);
      const token = cookie.slice('dispatch_sid='.length);
      const cached = await counted(main, () => main.services.auth.userFor(token));
      expect(cached.sql).toEqual([]);
      main.forgetSessions();
      const looked = await counted(main, () => main.services.auth.userFor(token));
      expect(looked.sql).toHaveLength(1);
      expect(cached.value).toEqual(looked.value);
      expect(looked.value?.email).toBe(email);
    }
  });

  it('revoking a session another process cached at log-in ends it there at once', async () => {
    const other = await startProcess();
    const cookie = await main.logIn('customer2@demo.test');
    const token = cookie.slice('dispatch_sid='.length);
    expect(await main.services.auth.userFor(token)).not.toBeNull();
    await (await other.as(cookie)).auth.logOut();
    await expect.poll(() => main.services.auth.userFor(token), { timeout: 2000, interval: 50 }).toBeNull();
    expect((await errorOf((await main.as(cookie)).session.listMine())).code).toBe('UNAUTHORIZED');
  });
});

describe('overload', () => {
  it('a call refused for load sends no SQL, not even the lookup of a cookie this process has not seen', async () => {
    const admission = new Admission({ concurrency: 1, queue: 0, maxWaitMs: 1000 });
    const busy = await startProcess({ admission });
    const cookie = await main.signUp(newEmail()); // cached by `main`, not by `busy`
    let release = () => {};
    const held = admission.run(() => new Promise<void>((resolve) => (release = resolve)));
    const refused = await counted(busy, () =>
      errorOf(
        (async () =>
          (await busy.as(cookie)).session.create({ intake: intake(), idempotencyKey: idempotencyKey() }))(),
      ),
    );
    expect(refused.value.code).toBe('SERVICE_UNAVAILABLE');
    expect(refused.sql).toEqual([]);
    release();
    await held;
    // Admitted, the same call looks the cookie up inside its slot and books.
    const booked = await counted(busy, async () =>
      (await busy.as(cookie)).session.create({ intake: intake(), idempotencyKey: idempotencyKey() }),
    );
    expect(booked.value.assignmentStatus).toBe('queued');
    expect(booked.sql.filter((sql) => /auth_sessions/.test(sql))).toHaveLength(1);
    expect(booked.sql.length).toBeLessThanOrEqual(MAX_ROUND_TRIPS);
  });
});

describe('targeted offers', () => {
  it('answering an offer made to you (accept, decline): 2 round trips, the run of missed offers reset in them', async () => {
    const targeted = await startProcess({ config: { dispatchMode: 'targeted' } });
    const dispatcher = new Dispatcher(targeted.services);
    const mechanicId = (await database.db.user.findUniqueOrThrow({ where: { email: 'b2@demo.test' } })).id;
    // An empty queue, and only b2 there to be offered anything; they had missed an offer before.
    await database.db.sessionAssignment.updateMany({
      where: { status: { notIn: ['cancelled', 'completed'] } },
      data: { status: 'cancelled', cancelReason: 'test reset', offerExpiresAt: null },
    });
    await database.db.mechanic.updateMany({ data: { availability: 'offline' } });
    await database.db.mechanic.update({
      where: { userId: mechanicId },
      data: { availability: 'available', lastSeenAt: new Date(), missedOffers: 1 },
    });
    try {
      const mechanic = await targeted.logIn('b2@demo.test');
      const customer = await targeted.signUp(newEmail());
      const booked = await (await targeted.as(customer)).session.create({
        intake: intake({ plan: 'paid' }),
        idempotencyKey: idempotencyKey(),
      });
      await dispatcher.runOnce();
      const offered = await database.db.sessionAssignment.findUniqueOrThrow({
        where: { id: booked.assignmentId },
      });
      expect(offered).toMatchObject({ status: 'offered', mechanicId });
      const accept = await counted(targeted, async () =>
        (await targeted.as(mechanic)).assignment.accept({ assignmentId: booked.assignmentId }),
      );
      expect(accept.value?.status).toBe('accepted');
      expect(accept.sql.length, accept.sql.join(' | ')).toBe(2);
      expect(
        (await database.db.mechanic.findUniqueOrThrow({ where: { userId: mechanicId } })).missedOffers,
      ).toBe(0);

      // A decline answers the offer too.
      await database.db.mechanic.update({ where: { userId: mechanicId }, data: { missedOffers: 1 } });
      const next = await (await targeted.as(customer)).session.create({
        intake: intake({ plan: 'paid' }),
        idempotencyKey: idempotencyKey(),
        allowAnotherOpen: true,
      });
      await dispatcher.runOnce();
      expect(
        await database.db.sessionAssignment.findUniqueOrThrow({ where: { id: next.assignmentId } }),
      ).toMatchObject({ status: 'offered', mechanicId });
      const decline = await counted(targeted, async () =>
        (await targeted.as(mechanic)).assignment.decline({ assignmentId: next.assignmentId }),
      );
      expect(decline.sql.length, decline.sql.join(' | ')).toBe(2);
      expect(
        (await database.db.mechanic.findUniqueOrThrow({ where: { userId: mechanicId } })).missedOffers,
      ).toBe(0);
    } finally {
      await database.db.mechanic.updateMany({ data: { availability: 'available' } });
    }
  });
});

describe('loadAssignment', () => {
  it('reads the same row as the Prisma include, for requests in every state', async () => {
    const customer = await main.as(await main.signUp(newEmail()));
    const mechanic = await main.as(await main.logIn('a2@demo.test'));
    const book = (given: Parameters<typeof intake>[0]) =>
      customer.session.create({
        intake: intake(given),
        idempotencyKey: idempotencyKey(),
        allowAnotherOpen: true,
      });
    const workshopA = (
      await database.db.workshop.findFirstOrThrow({ where: { name: { startsWith: 'Northside' } } })
    ).id;
    await book({ plan: 'free' });
    await book({ plan: 'free', sessionType: 'in_person', workshopId: workshopA });
    await book({ plan: 'paid', urgent: true });
    const signed = await book({ plan: 'free' });
    await customer.waiver.sign({
      sessionId: signed.sessionId,
      signerName: 'Ana Ortiz',
      consent: true,
      waiverVersion: currentWaiver.version,
    });
    await mechanic.assignment.accept({ assignmentId: signed.assignmentId });
    const done = await book({ sessionType: 'diagnostic' });
    await mechanic.assignment.accept({ assignmentId: done.assignmentId });
    await mechanic.assignment.complete({ assignmentId: done.assignmentId, ...completion('diagnostic') });
    const cancelled = await book({});
    await customer.session.cancel({ sessionId: cancelled.sessionId, reason: 'Fixed it myself' });
    const a2 = (await database.db.user.findUniqueOrThrow({ where: { email: 'a2@demo.test' } })).id;
    await database.db.sessionAssignment.update({
      where: { id: cancelled.assignmentId },
      data: { declinedBy: [a2] },
    });

    const rows = await database.db.sessionAssignment.findMany({ include: assignmentRowInclude });
    const statuses = new Set(rows.map((row) => row.status));
    for (const status of ['pending_waiver', 'queued', 'accepted', 'completed', 'cancelled'] as const) {
      expect(statuses, status).toContain(status);
    }
    expect(rows.some((row) => row.session.workshop && row.session.waiver === null)).toBe(true);
    expect(rows.some((row) => row.session.waiver && row.mechanic)).toBe(true);
    expect(rows.some((row) => row.declinedBy.length > 0 && row.session.cancelReason)).toBe(true);
    expect(rows.some((row) => row.session.outcome && row.session.findingsChecked)).toBe(true);
    for (const row of rows) {
      expect(await loadAssignment(database.db, { id: row.id })).toStrictEqual(row);
      expect(await loadAssignment(database.db, { sessionId: row.sessionId })).toStrictEqual(row);
    }
    expect(await loadAssignment(database.db, { id: '00000000-0000-4000-8000-000000000000' })).toBeNull();
  });
});
