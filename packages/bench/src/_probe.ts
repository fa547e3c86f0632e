import { seedUsers, startBenchDatabase } from './database.ts';
import { killChildren, spawnChild } from './ipc.ts';
import { summarise } from './stats.ts';

const db = await startBenchDatabase();
try {
  const seeded = await seedUsers(db.url, { customers: 2000, mechanics: 300 });
  const server = spawnChild('server', 'server-process.ts', ['--cpu-prof', '--cpu-prof-dir=/tmp/benchprof'], {
    BENCH_DATABASE_URL: db.url,
  });
  const driver = spawnChild('driver', 'driver-process.ts');
  await Promise.all([server.ready, driver.ready]);
  const { url } = await server.call<{ url: string }>('info');
  await driver.call('init', { url, customers: seeded.customers, mechanics: seeded.mechanics });
  const { execSync } = await import('node:child_process');
  const pgCpu = () => {
    const out = execSync(`ps -eo pid,ppid,cputimes,args | grep -E 'postgres' | grep -v grep`).toString();
    let total = 0;
    for (const line of out.trim().split('\n')) {
      const parts = line.trim().split(/\s+/);
      total += Number(parts[2]);
    }
    return total;
  };
  const driverCpu = () => Number(execSync(`ps -o cputimes= -p ${driver.process.pid}`).toString());
  for (const rate of (process.env.RATES ?? '5,20,60').split(',').map(Number)) {
    await server.call('cpuMark');
    const pg0 = pgCpu();
    const d0 = driverCpu();
    const w0 = Date.now();
    const r = await driver.call<any>('flows', {
      rate,
      durationMs: 3000,
      mechanicFrom: 0,
      mechanicCount: 200,
    });
    const w = (Date.now() - w0) / 1000;
    console.log(
      'server cores',
      (await server.call<any>('cpuSince')).cores.toFixed(2),
      'all-postgres cores',
      ((pgCpu() - pg0) / w).toFixed(2),
      'driver cores',
      ((driverCpu() - d0) / w).toFixed(2),
    );
    console.log(
      rate,
      'completed',
      r.completed,
      'flows/s',
      ((r.completed * 1000) / r.wallMs).toFixed(1),
      Object.fromEntries(
        Object.entries(r.latencies).map(([k, v]: any) => [
          k,
          `p50 ${summarise(v).p50.toFixed(1)} p99 ${summarise(v).p99.toFixed(1)}`,
        ]),
      ),
      r.errors,
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
