import { seedUsers, startBenchDatabase } from './database.ts';
import { killChildren, spawnChild } from './ipc.ts';

const db = await startBenchDatabase();
const N = Number(process.env.N ?? 2000);
try {
  const seeded = await seedUsers(db.url, { customers: 500, mechanics: N });
  const server = spawnChild(
    'server',
    'server-process.ts',
    process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.PROF] : [],
    {
      BENCH_DATABASE_URL: db.url,
    },
  );
  const driver = spawnChild('driver', 'driver-process.ts');
  const clients = [spawnChild('c0', 'clients-process.ts'), spawnChild('c1', 'clients-process.ts')];
  await Promise.all([server.ready, driver.ready, ...clients.map((c) => c.ready)]);
  const { url } = await server.call<{ url: string }>('info');
  await driver.call('init', { url, customers: seeded.customers, mechanics: seeded.mechanics });
  const booked = await driver.call<any[]>('book', { count: 40 });
  let t = Date.now();
  await Promise.all(
    clients.map((c, i) =>
      c.call('subscribe', {
        url: url.replace('http', 'ws') + '/trpc',
        tokens: seeded.mechanics.slice((i * N) / 2, ((i + 1) * N) / 2),
        group: 'g',
        concurrency: 40,
      }),
    ),
  );
  console.log('connected', N, 'in', Date.now() - t, 'ms');
  await server.call('cpuMark');
  t = Date.now();
  await driver.call('signPaced', { booked, rate: 5 });
  for (;;) {
    let got = 0;
    for (const c of clients) got += await c.call<number>('received');
    if (got >= 40 * N || Date.now() - t > 60000) {
      console.log('received', got, 'in', Date.now() - t);
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const cpu = await server.call<any>('cpuSince');
  console.log(
    'server CPU us/delivery',
    (((cpu.userMs + cpu.systemMs) * 1000) / (40 * N)).toFixed(1),
    'cores',
    cpu.cores.toFixed(2),
  );
  await server.call('stop');
  await server.exited;
} catch (e) {
  console.error(e);
} finally {
  killChildren();
  await db.stop();
}
