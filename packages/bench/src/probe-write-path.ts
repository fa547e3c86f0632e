// The write path's own cost, one mutation at a time (issue #17 item 1): the API in this process
// through createCaller, with the server's own services (Prisma pool, shared rate limiter, auth
// cache, admission, event hub) against the bench's embedded PostgreSQL. For each of the full
// flow's mutations it prints this process's CPU per call (process.cpuUsage around each call,
// libuv threads included) and its SQL round trips (every query on the app's pools, counted).
// No HTTP: what is left is tRPC, zod, the commands, Prisma and node-postgres.
//   tsx src/probe-write-path.ts [flows per round, default 300] [rounds, default 3]
// To compare two trees, run it in each, alternately; the machine is shared, so look at medians.
import type { IncomingMessage } from 'node:http';
import {
  Admission,
  AuthSessions,
  appRouter,
  createCallerFactory,
  createContextFactory,
  createMetrics,
  EventHub,
  type Services,
  sharedRateLimiter,
} from '@dispatch/api';
import { createDb } from '@dispatch/db';
import { roundTripCounter } from '@dispatch/db/testing';
import pg from 'pg';
import pino from 'pino';
import { seedUsers, startBenchDatabase } from './database.ts';

const FLOWS = Number(process.argv[2] ?? 300);
const ROUNDS = Number(process.argv[3] ?? 3);
const PASSWORD = 'bench-password-1'; // seedUsers' password for everyone
const log = pino({ level: 'warn' });

const intake = {
  customerName: 'Probe Customer',
  vehicleYear: 2018,
  vehicleMake: 'Toyota',
  vehicleModel: 'Corolla',
  concern: 'Check engine light came on this morning',
  sessionType: 'video' as const,
  workshopId: null,
  plan: 'free' as const,
  urgent: false,
};

const database = await startBenchDatabase();
const counter = roundTripCounter();
const db = createDb(database.url, { poolSize: 10, Client: counter.Client });
const hub = new EventHub({ connectionString: database.url, log });
const rateLimitPool = new pg.Pool({ connectionString: database.url, max: 2, Client: counter.Client });
try {
  const customersPerRound = 2 * FLOWS;
  const seeded = await seedUsers(database.url, {
    customers: customersPerRound * (ROUNDS + 1),
    mechanics: 20,
  });
  await hub.start();
  const services: Services = {
    db,
    hub,
    auth: new AuthSessions(db, hub, () => new Date()),
    admission: new Admission({ concurrency: 10, queue: 100, maxWaitMs: 1000 }),
    config: {
      dispatchMode: 'broadcast',
      offerTimeoutMs: 30_000,
      queueTimeoutMs: 900_000,
      allowedOrigins: [],
    },
    log,
    now: () => new Date(),
    rateLimiter: sharedRateLimiter(rateLimitPool),
    metrics: createMetrics('probe'),
  };
  const createContext = createContextFactory(services);
  const createCaller = createCallerFactory(appRouter);
  /** One call as the HTTP adapter makes it: a context from the request's cookie, then the procedure. */
  const as = async (cookie: string | null, setCookie?: (header: string) => void) => {
    const req = {
      headers: { ...(cookie ? { cookie } : {}), 'user-agent': 'probe' },
      socket: { remoteAddress: '127.0.0.1' },
    } as unknown as IncomingMessage;
    const ctx = await createContext({ req });
    return createCaller(setCookie ? { ...ctx, setCookie } : ctx);
  };
  const cookieOf = (token: string) => `dispatch_sid=${token}`;

  type Phase = 'create (cold auth)' | 'create (after log-in)' | 'sign' | 'accept';
  const measure = async <T>(into: number[][], run: () => Promise<T>): Promise<T> => {
    counter.reset();
    const cpu0 = process.cpuUsage();
    const value = await run();
    const cpu = process.cpuUsage(cpu0);
    into.push([(cpu.user + cpu.system) / 1000, counter.count()]);
    return value;
  };
  const { version: waiverVersion } = await (await as(null)).waiver.current();
  const mechanicCookies = seeded.mechanics.map(cookieOf);
  for (const cookie of mechanicCookies) await (await as(cookie)).auth.me();

  const rounds: Record<Phase, number[][]>[] = [];
  for (let round = 0; round <= ROUNDS; round += 1) {
    const results: Record<Phase, number[][]> = {
      'create (cold auth)': [],
      'create (after log-in)': [],
      sign: [],
      accept: [],
    };
    const base = round * customersPerRound;
    const booked: { cookie: string; sessionId: string; assignmentId: string }[] = [];
    for (let i = 0; i < FLOWS; i += 1) {
      // A cookie this process has never seen: its first request looks the auth session up.
      const cookie = cookieOf(seeded.customers[base + i] as string);
      const details = await measure(results['create (cold auth)'], async () =>
        (await as(cookie)).session.create({ intake, idempotencyKey: `probe-${round}-${i}` }),
      );
      booked.push({ cookie, ...details });
    }
    for (let i = FLOWS; i < 2 * FLOWS; i += 1) {
      // A fresh log-in (its scrypt is not measured), then the first booking with its cookie.
      let cookie = '';
      await (
        await as(null, (header) => {
          cookie = header.split(';')[0] ?? '';
        })
      ).auth.logIn({ email: `customer${base + i}@bench.test`, password: PASSWORD });
      const details = await measure(results['create (after log-in)'], async () =>
        (await as(cookie)).session.create({ intake, idempotencyKey: `probe-${round}-${i}` }),
      );
      booked.push({ cookie, ...details });
    }
    for (const b of booked) {
      await measure(results.sign, async () =>
        (await as(b.cookie)).waiver.sign({
          sessionId: b.sessionId,
          signerName: 'Probe Customer',
          consent: true,
          waiverVersion,
        }),
      );
    }
    for (const [i, b] of booked.entries()) {
      const mechanic = mechanicCookies[i % mechanicCookies.length] as string;
      await measure(results.accept, async () =>
        (await as(mechanic)).assignment.accept({ assignmentId: b.assignmentId }),
      );
    }
    if (round > 0) rounds.push(results); // round 0 warms up the JIT, the pools and the plan caches
  }

  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  };
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  console.log(`${FLOWS * 2} flows per round, ${ROUNDS} measured rounds (after one warm-up round)`);
  console.log('mutation              | CPU ms per call: mean of each round | median | SQL round trips');
  for (const phase of Object.keys(rounds[0] ?? {}) as Phase[]) {
    const all = rounds.flatMap((r) => r[phase]);
    const cpu = all.map(([ms]) => ms ?? 0);
    const trips = all.map(([, n]) => n ?? 0);
    const perRound = rounds.map((r) => mean(r[phase].map(([ms]) => ms ?? 0)).toFixed(2)).join(' ');
    const seen = [...new Set(trips)].sort((a, b) => a - b).join(', ');
    console.log(
      `${phase.padEnd(21)} | ${perRound.padEnd(35)} | ${median(cpu).toFixed(2).padStart(6)} | ` +
        `${mean(trips).toFixed(2)} (seen: ${seen})`,
    );
  }
} finally {
  await hub.stop().catch(() => {});
  await db.$disconnect().catch(() => {});
  await rateLimitPool.end().catch(() => {});
  await database.stop();
}
