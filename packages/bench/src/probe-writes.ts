// A/B probe for write cost (used for the proposals in FINDINGS.md): full flows at 15/s, prints
// server and PostgreSQL CPU and SQL statements per mutation. Run it in this tree and in a copy with
// a proposal applied, alternately:  tsx src/probe-writes.ts
import { query, seedUsers, startBenchDatabase } from './database.ts';
import { killChildren, spawnChild } from './ipc.ts';
import { summarise } from './stats.ts';

type Flows = { latencies: Record<'create' | 'sign' | 'accept', number[]> };
const db = await startBenchDatabase();
try {
  const seeded = await seedUsers(db.url, { customers: 2000, mechanics: 300 });
  const server = spawnChild('server', 'server-process.ts', [], { BENCH_DATABASE_URL: db.url });
  const driver = spawnChild('driver', 'driver-process.ts');
  await Promise.all([server.ready, driver.ready]);
  const { url } = await server.call<{ url: string }>('info');
  await driver.call('init', { url, customers: seeded.customers, mechanics: seeded.mechanics });
  await driver.call('flows', { rate: 10, durationMs: 1000, mechanicFrom: 0, mechanicCount: 200 }); // warm-up
  for (let round = 1; round <= 2; round++) {
    await query(db.url, 'SELECT pg_stat_statements_reset()');
    await server.call('cpuMark');
    const pg0 = await db.cpuSeconds();
    const r = await driver.call<Flows>('flows', {
      rate: 15,
      durationMs: 4000,
      mechanicFrom: 0,
      mechanicCount: 200,
    });
    const cpu = await server.call<{ userMs: number; systemMs: number }>('cpuSince');
    const pgSeconds = (await db.cpuSeconds()) - pg0;
    const all = [...r.latencies.create, ...r.latencies.sign, ...r.latencies.accept];
    const [statements] = await query<{ n: number }>(
      db.url,
      `SELECT sum(calls)::float8 AS n FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    const s = summarise(all);
    console.log(
      `round ${round}: server CPU ${((cpu.userMs + cpu.systemMs) / all.length).toFixed(2)} ms/mutation, ` +
        `PostgreSQL CPU ${((pgSeconds * 1000) / all.length).toFixed(2)} ms/mutation, ` +
        `${((statements?.n ?? 0) / all.length).toFixed(1)} statements/mutation, p50 ${s.p50.toFixed(1)} p99 ${s.p99.toFixed(1)} ms`,
    );
  }
  await server.call('stop');
  await server.exited;
} catch (error) {
  console.error(error);
} finally {
  killChildren();
  await db.stop();
}
