// What delivery receipts cost the write path, side by side in one run: the same server with the
// receipt writer on (RECEIPT_RETENTION_DAYS=14) and off (0), alternating, each with the same
// subscribed mechanics (every queued request is delivered to each, so each delivery writes a
// receipt) and the same full flows (create, sign, accept) at a fixed rate. Prints mutation latency
// and the receipts written. Not part of `pnpm bench`: `pnpm --filter @dispatch/bench bench:receipts`.
import { type BenchDatabase, query, seedUsers, startBenchDatabase } from './database.ts';
import { killChildren, spawnChild } from './ipc.ts';
import { type Summary, summarise } from './stats.ts';

const SUBSCRIBERS = Number(process.env.RECEIPT_BENCH_SUBSCRIBERS ?? 200);
const RATE = Number(process.env.RECEIPT_BENCH_RATE ?? 15);
const DURATION_MS = Number(process.env.RECEIPT_BENCH_MS ?? 4000);
const ROUNDS = Number(process.env.RECEIPT_BENCH_ROUNDS ?? 2);

type Flows = { completed: number; errors: Record<string, number>; latencies: Record<string, number[]> };

async function round(
  db: BenchDatabase,
  seeded: { customers: string[]; mechanics: string[] },
  receipts: boolean,
) {
  const url = db.url;
  const server = spawnChild('server', 'server-process.ts', [], {
    BENCH_DATABASE_URL: url,
    BENCH_SERVER_ENV: JSON.stringify({ RECEIPT_RETENTION_DAYS: receipts ? '14' : '0' }),
  });
  const clients = spawnChild('clients', 'clients-process.ts');
  const driver = spawnChild('driver', 'driver-process.ts');
  await Promise.all([server.ready, clients.ready, driver.ready]);
  const { url: serverUrl } = await server.call<{ url: string }>('info');
  await clients.call('subscribe', {
    url: `${serverUrl.replace('http', 'ws')}/trpc`,
    tokens: seeded.mechanics.slice(0, SUBSCRIBERS),
    group: 'mechanics',
  });
  await driver.call('init', { url: serverUrl, customers: seeded.customers, mechanics: seeded.mechanics });
  await driver.call('flows', { rate: RATE, durationMs: 1000, mechanicFrom: 0, mechanicCount: SUBSCRIBERS });
  const [before] = await query<{ n: number }>(url, 'SELECT count(*)::int AS n FROM delivery_receipts');
  await server.call('cpuMark');
  const pg0 = await db.cpuSeconds();
  const flows = await driver.call<Flows>('flows', {
    rate: RATE,
    durationMs: DURATION_MS,
    mechanicFrom: 0,
    mechanicCount: SUBSCRIBERS,
  });
  // The writer flushes about once a second: wait for its last batch before counting (and charge it).
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const cpu = await server.call<{ userMs: number; systemMs: number }>('cpuSince');
  const pgMs = ((await db.cpuSeconds()) - pg0) * 1000;
  const [after] = await query<{ n: number }>(url, 'SELECT count(*)::int AS n FROM delivery_receipts');
  await clients.call('close', { group: 'mechanics' });
  await server.call('stop');
  await server.exited;
  clients.process.kill();
  driver.process.kill();
  await Promise.all([clients.exited, driver.exited]);
  const all = Object.values(flows.latencies).flat();
  return {
    receipts,
    mutations: all.length,
    completed: flows.completed,
    errors: Object.values(flows.errors).reduce((a, b) => a + b, 0),
    latency: summarise(all),
    serverCpuMs: (cpu.userMs + cpu.systemMs) / all.length,
    pgCpuMs: pgMs / all.length,
    receiptsWritten: (after?.n ?? 0) - (before?.n ?? 0),
  };
}

const db = await startBenchDatabase();
try {
  const seeded = await seedUsers(db.url, { customers: 2000, mechanics: SUBSCRIBERS });
  const results: Awaited<ReturnType<typeof round>>[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate the order so neither side always runs on a warmer database.
    for (const receipts of i % 2 === 0 ? [true, false] : [false, true]) {
      const result = await round(db, seeded, receipts);
      results.push(result);
      const l: Summary = result.latency;
      console.log(
        `receipts ${receipts ? 'on ' : 'off'}: ${result.mutations} mutations (${result.completed} flows, ${result.errors} errors), ` +
          `p50 ${l.p50.toFixed(1)} ms, p95 ${l.p95.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, ` +
          `server CPU ${result.serverCpuMs.toFixed(2)} ms/mutation, PostgreSQL CPU ${result.pgCpuMs.toFixed(2)} ms/mutation, ` +
          `receipts written ${result.receiptsWritten}`,
      );
    }
  }
  for (const on of [true, false]) {
    const rounds = results.filter((r) => r.receipts === on);
    const p = (key: 'p50' | 'p99') => rounds.map((r) => r.latency[key].toFixed(1)).join(' / ');
    const c = (key: 'serverCpuMs' | 'pgCpuMs') => rounds.map((r) => r[key].toFixed(2)).join(' / ');
    console.log(
      `summary receipts ${on ? 'on ' : 'off'}: p50 ${p('p50')} ms, p99 ${p('p99')} ms, ` +
        `server CPU ${c('serverCpuMs')} ms/mutation, PostgreSQL CPU ${c('pgCpuMs')} ms/mutation, ` +
        `receipts ${rounds.map((r) => r.receiptsWritten).join(' / ')}`,
    );
  }
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  killChildren();
  await db.stop();
}
