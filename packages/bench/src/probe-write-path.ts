// The write path's own cost, one mutation at a time (issue #17 item 1): the API in this process
// through createCaller, with the server's own services (Prisma pool, shared rate limiter, auth
// cache, admission, event hub) against the bench's embedded PostgreSQL. For each of the full
// flow's mutations it prints this process's CPU per call (process.cpuUsage around each call,
// libuv threads included) and its SQL round trips (every query on the app's pools, counted).
// No HTTP: what is left is tRPC, zod, the commands, Prisma and node-postgres.
//   tsx src/probe-write-path.ts [flows per round, default 300] [rounds, default 3]
// `tsx src/probe-write-path.ts overload [rates, default 100,200,400]` instead offers full flows over
// HTTP to the real server (the bench's server and driver processes, as section (d) does, without
// the subscribed fleet) for 4 s at each rate, and prints what was achieved past saturation.
// PROBE_PROFILE_DIR=<dir> with `overload` writes the server's CPU profile into <dir>;
// PROBE_PROFILE=<prefix> writes a CPU profile of each rate's window alone (<prefix>.<rate>.cpuprofile);
// PROBE_STATEMENTS=1 prints PostgreSQL's statements by execution time per call, nested ones too.
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
import { query, seedUsers, startBenchDatabase } from './database.ts';
import { killChildren, spawnChild } from './ipc.ts';
import { summarise } from './stats.ts';

if (process.argv[2] === 'overload') {
  await overload((process.argv[3] ?? '100,200,400').split(',').map(Number));
  process.exit(0);
}

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

/** Full flows over HTTP past saturation: does the achieved rate hold, and what do refusals cost? */
async function overload(rates: number[]): Promise<void> {
  const database = await startBenchDatabase();
  try {
    const seeded = await seedUsers(database.url, { customers: 4000, mechanics: 300 });
    // PROBE_STATEMENTS=1 also prints each step's statements by execution time, nested ones included.
    const statements = Boolean(process.env.PROBE_STATEMENTS);
    if (statements) await query(database.url, `ALTER DATABASE bench SET pg_stat_statements.track = 'all'`);
    // PROBE_PROFILE_DIR=<dir> writes the server's CPU profile there (summarise it with profile-summary.ts).
    const profileDir = process.env.PROBE_PROFILE_DIR;
    const server = spawnChild(
      'server',
      'server-process.ts',
      profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      { BENCH_DATABASE_URL: database.url },
    );
    const driver = spawnChild('driver', 'driver-process.ts');
    await Promise.all([server.ready, driver.ready]);
    const { url } = await server.call<{ url: string }>('info');
    await driver.call('init', { url, customers: seeded.customers, mechanics: seeded.mechanics });
    const flows = (rate: number, durationMs: number) =>
      driver.call<{
        started: number;
        completed: number;
        errors: Record<string, number>;
        wallMs: number;
        latencies: Record<'create' | 'sign' | 'accept', number[]>;
      }>('flows', { rate, durationMs, mechanicFrom: 0, mechanicCount: 200 });
    await flows(10, 2000); // warm-up
    console.log(
      'offered/s | completed / started | achieved flows/s | p50 / p99 ms | server CPU ms/call | PostgreSQL CPU ms/call | errors',
    );
    for (const rate of rates) {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const [mark] = await query<{ p: string }>(
        database.url,
        'SELECT coalesce(max(position), 0)::text AS p FROM assignment_events',
      );
      if (process.env.PROBE_PROFILE) await server.call('profileStart');
      await server.call('cpuMark');
      const pg0 = await database.cpuSplit();
      if (statements) await query(database.url, 'SELECT pg_stat_statements_reset()');
      const r = await flows(rate, 4000);
      const pg1 = await database.cpuSplit();
      const [committed] = await query<{ accepts: number; seconds: number }>(
        database.url,
        `SELECT count(*) FILTER (WHERE type = 'accept')::float8 AS accepts,
                extract(epoch FROM max(created_at) FILTER (WHERE type = 'accept') - min(created_at))::float8
                  AS seconds
           FROM assignment_events WHERE position > $1::bigint`,
        [mark?.p ?? '0'],
      );
      const cpu = await server.call<{ userMs: number; systemMs: number }>('cpuSince');
      if (process.env.PROBE_PROFILE) {
        await server.call('profileStop', { file: `${process.env.PROBE_PROFILE}.${rate}.cpuprofile` });
      }
      const answered = [...r.latencies.create, ...r.latencies.sign, ...r.latencies.accept];
      const calls = answered.length + Object.values(r.errors).reduce((a, b) => a + b, 0);
      const s = summarise(answered);
      // Work that bought nothing: bookings and signs answered for flows a later step was refused in.
      const wasted = answered.length - 3 * r.completed;
      console.log(
        `${String(rate).padStart(9)} | ${`${r.completed} / ${r.started}`.padEnd(19)} | ` +
          `${((r.completed * 1000) / r.wallMs).toFixed(1).padStart(16)} | ` +
          `${((committed?.accepts ?? 0) / (committed?.seconds ?? 1)).toFixed(1).padStart(19)} | ` +
          `${`${wasted} of ${answered.length}`.padEnd(38)} | ` +
          `${`${s.p50.toFixed(0)} / ${s.p99.toFixed(0)}`.padEnd(12)} | ` +
          `${((cpu.userMs + cpu.systemMs) / calls).toFixed(2).padStart(18)} (user ${(cpu.userMs / calls).toFixed(2)}, system ${(cpu.systemMs / calls).toFixed(2)}) | ` +
          `PostgreSQL user ${(((pg1.user - pg0.user) * 1000) / calls).toFixed(2)}, system ${(((pg1.system - pg0.system) * 1000) / calls).toFixed(2)} | ${JSON.stringify(r.errors)}`,
      );
      if (statements) {
        // Every statement PostgreSQL ran, those inside the write functions too, by execution time.
        const rows = await query<{ calls: number; ms: number; query: string }>(
          database.url,
          `SELECT calls::float8 AS calls, total_exec_time AS ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
             FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25`,
        );
        for (const row of rows) {
          console.log(
            `  ${(row.ms / calls).toFixed(3)} ms/call  ${(row.calls / calls).toFixed(2)}×  ${row.query}`,
          );
        }
      }
    }
    await server.call('stop');
    await server.exited;
  } finally {
    killChildren();
    await database.stop();
  }
}
