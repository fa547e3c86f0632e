// A/B probe for delivery CPU (used for the proposals in FINDINGS.md): N subscribers, 40 signs at
// 5/s, prints the server's CPU µs per delivery. Run it in this tree and in a copy with a proposal
// applied, alternately:  N=2000 tsx src/probe-delivery.ts   (PROF=<dir> adds --cpu-prof;
// PROFILE=<file.cpuprofile> profiles the signs' window alone)
import { seedUsers, startBenchDatabase } from './database.ts';
import { killChildren, spawnChild } from './ipc.ts';

const N = Number(process.env.N ?? 2000);
const EVENTS = 40;
const db = await startBenchDatabase();
try {
  const seeded = await seedUsers(db.url, { customers: 500, mechanics: N });
  const profile = process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : [];
  const server = spawnChild('server', 'server-process.ts', profile, { BENCH_DATABASE_URL: db.url });
  const driver = spawnChild('driver', 'driver-process.ts');
  const clients = [spawnChild('c0', 'clients-process.ts'), spawnChild('c1', 'clients-process.ts')];
  await Promise.all([server.ready, driver.ready, ...clients.map((c) => c.ready)]);
  const { url } = await server.call<{ url: string }>('info');
  await driver.call('init', { url, customers: seeded.customers, mechanics: seeded.mechanics });
  const booked = await driver.call<unknown[]>('book', { count: EVENTS });
  await Promise.all(
    clients.map((c, i) =>
      c.call('subscribe', {
        url: `${url.replace('http', 'ws')}/trpc`,
        tokens: seeded.mechanics.slice((i * N) / 2, ((i + 1) * N) / 2),
        group: 'g',
        concurrency: 40,
      }),
    ),
  );
  if (process.env.PROFILE) await server.call('profileStart');
  await server.call('cpuMark');
  const started = Date.now();
  await driver.call('signPaced', { booked, rate: 5 });
  for (;;) {
    let got = 0;
    for (const c of clients) got += await c.call<number>('received');
    if (got >= EVENTS * N || Date.now() - started > 60_000) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const cpu = await server.call<{ userMs: number; systemMs: number; cores: number }>('cpuSince');
  if (process.env.PROFILE) await server.call('profileStop', { file: process.env.PROFILE });
  const perDelivery = ((cpu.userMs + cpu.systemMs) * 1000) / (EVENTS * N);
  console.log(
    `server CPU ${perDelivery.toFixed(1)} µs/delivery (incl. the signs), ${cpu.cores.toFixed(2)} cores`,
  );
  await server.call('stop');
  await server.exited;
} catch (error) {
  console.error(error);
} finally {
  killChildren();
  await db.stop();
}
