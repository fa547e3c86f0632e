// Resume alone (issue #17 item 5, section (g) of `pnpm bench`): the real server, one mechanic away
// while full flows commit, then reconnecting with its last position, several times; prints each
// run and the median time from opening the socket to the last missed event.
//   tsx src/probe-resume.ts [flows, default 700] [runs, default 7]
// PROBE_PROFILE=<file.cpuprofile> writes the server's CPU profile of the resume runs alone there. To compare two trees, run it
// in each, alternately; the machine is shared, so look at medians.
import { query, seedUsers, startBenchDatabase } from './database.ts';
import { killChildren, spawnChild } from './ipc.ts';
import type { Results } from './report.ts';
import { summarise } from './stats.ts';

const FLOWS = Number(process.argv[2] ?? 700);
const RUNS = Number(process.argv[3] ?? 7);

const database = await startBenchDatabase();
try {
  const seeded = await seedUsers(database.url, { customers: 4000, mechanics: 210 });
  const profile = process.env.PROBE_PROFILE;
  const server = spawnChild('server', 'server-process.ts', [], { BENCH_DATABASE_URL: database.url });
  const driver = spawnChild('driver', 'driver-process.ts');
  const clients = spawnChild('clients', 'clients-process.ts');
  await Promise.all([server.ready, driver.ready, clients.ready]);
  const { url } = await server.call<{ url: string }>('info');
  await driver.call('init', { url, customers: seeded.customers, mechanics: seeded.mechanics });
  const [head] = await query<{ key: string }>(
    database.url,
    'SELECT coalesce(max(position), 0)::text AS key FROM assignment_events',
  );
  const lastEventId = head?.key ?? '0';
  await driver.call('flows', {
    rate: 200,
    durationMs: (FLOWS / 200) * 1000,
    mechanicFrom: 0,
    mechanicCount: 200,
  });
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.PROBE_SETTLE_MS ?? 1000)));
  const [missed] = await query<{ n: string }>(
    database.url,
    `SELECT count(*)::text AS n FROM assignment_events
      WHERE position > $1::bigint AND type IN ('sign_waiver', 'accept')`,
    [lastEventId],
  );
  const expect = Number(missed?.n ?? 0);
  const lasts: number[] = [];
  if (profile) await server.call('profileStart');
  for (let i = 0; i < RUNS; i++) {
    const run = await clients.call<Results['resume']['runs'][number]>('resume', {
      url: `${url.replace('http', 'ws')}/trpc`,
      token: seeded.mechanics[209],
      lastEventId,
      expect,
    });
    lasts.push(run.lastMs);
    console.log(
      `run ${i + 1}: ${run.count} events (${run.unique} unique, ${run.ordered ? 'in order' : 'OUT OF ORDER'}), ` +
        `open ${run.openMs.toFixed(1)}, started ${run.startedMs.toFixed(1)}, first ${run.firstMs.toFixed(1)} ms, last ${run.lastMs.toFixed(1)} ms`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (profile) await server.call('profileStop', { file: profile });
  const median = summarise(lasts).p50;
  console.log(
    `median last event: ${median.toFixed(1)} ms for ${expect} events (${((median * 1000) / expect).toFixed(1)} µs per event)`,
  );
  await server.call('stop');
  await server.exited;
} finally {
  killChildren();
  await database.stop();
}
