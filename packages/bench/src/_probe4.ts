import { query, seedUsers, startBenchDatabase } from './database.ts';
import { killChildren, spawnChild } from './ipc.ts';
import { summarise } from './stats.ts';

const db = await startBenchDatabase();
try {
  const seeded = await seedUsers(db.url, { customers: 2000, mechanics: 300 });
  const server = spawnChild('server', 'server-process.ts', [], { BENCH_DATABASE_URL: db.url });
  const driver = spawnChild('driver', 'driver-process.ts');
  await Promise.all([server.ready, driver.ready]);
  const { url } = await server.call<{ url: string }>('info');
  await driver.call('init', { url, customers: seeded.customers, mechanics: seeded.mechanics });
  await driver.call('flows', { rate: 10, durationMs: 1000, mechanicFrom: 0, mechanicCount: 200 });
  for (const rate of [15, 15]) {
    await query(db.url, 'SELECT pg_stat_statements_reset()');
    await server.call('cpuMark');
    const pg0 = await db.cpuSeconds();
    const r = await driver.call<any>('flows', {
      rate,
      durationMs: 4000,
      mechanicFrom: 0,
      mechanicCount: 200,
    });
    const cpu = await server.call<any>('cpuSince');
    const pgS = (await db.cpuSeconds()) - pg0;
    const all = [...r.latencies.create, ...r.latencies.sign, ...r.latencies.accept];
    const st = await query<{ n: number }>(
      db.url,
      `SELECT sum(calls)::float8 AS n FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    console.log(
      `rate ${rate}: server CPU ms/mutation ${((cpu.userMs + cpu.systemMs) / all.length).toFixed(2)}, PG CPU ms/mutation ${((pgS * 1000) / all.length).toFixed(2)}, statements/mutation ${((st[0]?.n ?? 0) / all.length).toFixed(1)}, p50 ${summarise(all).p50.toFixed(1)} p99 ${summarise(all).p99.toFixed(1)}`,
    );
  }
  await server.call('stop');
  await server.exited;
} catch (e) {
  console.error(e);
} finally {
  killChildren();
  await db.stop();
}
