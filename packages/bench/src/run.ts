// `pnpm bench`: the server under test in its own process, load generators in others, PostgreSQL
// embedded; every figure from this one run, written to BENCHMARKS.md with a latency chart.
import { execSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { eventCommitTimes, query, seedUsers, startBenchDatabase } from './database.ts';
import { type Child, killChildren, spawnChild } from './ipc.ts';
import { pgCommitRate, pgEventAppendRate, pgNotifyLatency } from './pg-floor.ts';
import { type Results, renderReport } from './report.ts';
import { summarise } from './stats.ts';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const profile = argv.includes('--profile');
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const resultsDir = path.resolve(here, '../results');

const config = quick
  ? {
      sizes: [100, 1000],
      eventsPerSize: 8,
      pgFloorRoundTrips: 30,
      commitRateMs: 1000,
      fanoutRates: [10],
      fanoutSeconds: 2,
      flowRates: [10, 50],
      flowSeconds: 2,
      contentionRounds: 2,
      resumeFlows: 100,
      resumeRepeats: 2,
      idleCpuMs: 1000,
    }
  : {
      sizes: [100, 1000, 10_000],
      eventsPerSize: 30,
      pgFloorRoundTrips: 300,
      commitRateMs: 3000,
      fanoutRates: [1, 2.5, 5],
      fanoutSeconds: 6,
      flowRates: [10, 25, 50, 100, 200, 400, 600],
      flowSeconds: 4,
      contentionRounds: 5,
      resumeFlows: 500,
      resumeRepeats: 5,
      idleCpuMs: 10_000,
    };
const CLIENT_PROCS = 2;
const maxSize = Math.max(...config.sizes);
const RESUME_MECHANIC = maxSize; // never subscribed elsewhere, never accepts
const FLOW_MECHANICS = { from: maxSize + 1, count: 200 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

let cleanup: (() => Promise<void>) | null = null;
async function shutdown(code: number): Promise<never> {
  const done = cleanup;
  cleanup = null;
  await done?.().catch(() => {});
  killChildren();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));

async function main(): Promise<void> {
  const started = new Date();
  const loadBefore = os.loadavg();
  const othersBefore = otherWorkloads();
  log(`mode ${quick ? 'quick' : 'full'}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);

  const database = await startBenchDatabase();
  let server: Child | null = null;
  cleanup = async () => {
    await server?.call('stop').catch(() => {});
    await server?.exited;
    killChildren();
    await database.stop();
  };
  log('seeding users');
  const seeded = await seedUsers(database.url, {
    customers: quick ? 2000 : 10_000,
    mechanics: maxSize + 1 + FLOW_MECHANICS.count,
  });

  // PostgreSQL floors first, while nothing else runs.
  log('PostgreSQL floors');
  const pgLatency = await pgNotifyLatency(database.url, config.pgFloorRoundTrips);
  const commitRates = {
    plain: await pgCommitRate(database.url, {
      connections: 16,
      durationMs: config.commitRateMs,
      notify: false,
    }),
    notify: await pgCommitRate(database.url, {
      connections: 16,
      durationMs: config.commitRateMs,
      notify: true,
    }),
    coalesced: await pgCommitRate(database.url, {
      connections: 16,
      durationMs: config.commitRateMs,
      notify: false,
      coalesced: true,
    }),
    eventsUnordered: await pgEventAppendRate(database.url, {
      connections: 16,
      durationMs: config.commitRateMs,
      ordered: false,
    }),
    eventsOrdered: await pgEventAppendRate(database.url, {
      connections: 16,
      durationMs: config.commitRateMs,
      ordered: true,
    }),
  };

  log('starting the server under test and the load generators');
  const profileDir = path.join(resultsDir, 'profiles');
  if (profile) await mkdir(profileDir, { recursive: true });
  server = spawnChild(
    'server',
    'server-process.ts',
    ['--expose-gc', ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    { BENCH_DATABASE_URL: database.url },
  );
  const floor = spawnChild('floor-ws', 'floor-ws-process.ts', ['--expose-gc']);
  const trpcFloor = spawnChild('floor-trpc', 'floor-trpc-process.ts', ['--expose-gc']);
  const clients = Array.from({ length: CLIENT_PROCS }, (_, i) =>
    spawnChild(`clients-${i}`, 'clients-process.ts'),
  );
  const driver = spawnChild('driver', 'driver-process.ts');
  await Promise.all([
    server.ready,
    floor.ready,
    trpcFloor.ready,
    driver.ready,
    ...clients.map((c) => c.ready),
  ]);
  const srv = server;
  const { url } = await srv.call<{ url: string }>('info');
  const wsUrl = `${url.replace('http', 'ws')}/trpc`;
  const floorPort = (await floor.call<{ port: number }>('info')).port;
  const floorUrl = `ws://127.0.0.1:${floorPort}`;
  const trpcFloorUrl = `ws://127.0.0.1:${(await trpcFloor.call<{ port: number }>('info')).port}`;
  await driver.call('init', { url, customers: seeded.customers, mechanics: seeded.mechanics });

  const drainAll = async () => {
    const merged = new Map<string, number[]>();
    for (const c of clients) {
      const part = await c.call<Map<string, number[]>>('drain');
      for (const [key, times] of part) merged.set(key, [...(merged.get(key) ?? []), ...times]);
    }
    return merged;
  };
  const receivedAll = async () => {
    let total = 0;
    for (const c of clients) total += await c.call<number>('received');
    return total;
  };
  /** Waits for `target` receipts; gives up at the timeout or after 10 s without progress. */
  const waitReceived = async (target: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    let lastProgress = Date.now();
    for (;;) {
      const got = await receivedAll();
      if (got >= target || Date.now() > deadline) return got;
      if (got !== last) {
        last = got;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > 10_000) return got;
      await sleep(got === 0 ? 5 : 10);
    }
  };
  /** Splits mechanics [from, to) across the client processes and subscribes them. */
  const subscribeRange = async (group: string, from: number, to: number) => {
    const tokens = seeded.mechanics.slice(from, to);
    const share = Math.ceil(tokens.length / CLIENT_PROCS);
    await Promise.all(
      clients.map((c, i) =>
        c.call('subscribe', {
          url: wsUrl,
          tokens: tokens.slice(i * share, (i + 1) * share),
          group,
          concurrency: 40,
        }),
      ),
    );
  };
  const connectFloor = async (group: string, count: number) => {
    const share = Math.ceil(count / CLIENT_PROCS);
    await Promise.all(
      clients.map((c, i) =>
        c.call('connectPlain', {
          url: floorUrl,
          count: Math.min(share, count - i * share),
          group,
          concurrency: 100,
        }),
      ),
    );
  };
  const connectTrpcFloor = async (group: string, count: number) => {
    const share = Math.ceil(count / CLIENT_PROCS);
    await Promise.all(
      clients.map((c, i) =>
        c.call('subscribe', {
          url: trpcFloorUrl,
          tokens: Array(Math.max(0, Math.min(share, count - i * share))).fill('none'),
          group,
          concurrency: 100,
        }),
      ),
    );
  };
  const closeGroup = (group: string) => Promise.all(clients.map((c) => c.call('close', { group })));

  type Booked = { sessionId: string; assignmentId: string; token: string };
  const fanoutEvents = config.fanoutRates.reduce(
    (sum, rate) => sum + Math.ceil(rate * config.fanoutSeconds),
    0,
  );
  log(`booking ${config.sizes.length * config.eventsPerSize + 1 + fanoutEvents} sessions`);
  const booked = await driver.call<Booked[]>('book', {
    count: config.sizes.length * config.eventsPerSize + 1 + fanoutEvents,
  });
  const nextBooked = () => {
    const b = booked.shift();
    if (!b) throw new Error('ran out of booked sessions');
    return b;
  };

  // Warm-up: one subscriber, one event; its message is the payload the floor broadcasts.
  await subscribeRange('warm', 0, 1);
  await drainAll();
  await driver.call('sign', { booked: nextBooked() });
  await waitReceived(1, 5000);
  const sample = (await clients[0]?.call<string | null>('sample')) ?? null;
  if (!sample) throw new Error('warm-up event never arrived');
  await closeGroup('warm');
  await drainAll();

  // (a) + (b): latency at each size, ours and the bare-ws floor interleaved event by event.
  const delivery: Results['delivery'] = [];
  let memory: Results['memory'] = null;
  let connected = 0;
  let floorConnected = 0;
  for (const size of config.sizes) {
    const growing = size === maxSize;
    let before: { server: number; serverHeap: number; floor: number; trpc: number } | null = null;
    if (growing) {
      await srv.call('gc');
      await floor.call('gc');
      await trpcFloor.call('gc');
      const serverStats = await srv.call<{ rss: number; heapUsed: number }>('stats');
      before = {
        server: serverStats.rss,
        serverHeap: serverStats.heapUsed,
        floor: (await floor.call<{ rss: number }>('stats')).rss,
        trpc: (await trpcFloor.call<{ rss: number }>('stats')).rss,
      };
    }
    log(`connecting ${size} subscribers (and ${size} bare-ws clients)`);
    const t0 = Date.now();
    await subscribeRange(`subs-${size}`, connected, size);
    const connectMs = Date.now() - t0;
    await connectFloor(`floor-${size}`, size - floorConnected);
    await connectTrpcFloor(`trpc-floor-${size}`, size - floorConnected);
    const added = size - connected;
    connected = size;
    floorConnected = size;
    if (growing && before) {
      await sleep(3000);
      await srv.call('gc');
      await floor.call('gc');
      await trpcFloor.call('gc');
      const serverStats = await srv.call<{ rss: number; heapUsed: number }>('stats');
      const after = {
        server: serverStats.rss,
        serverHeap: serverStats.heapUsed,
        floor: (await floor.call<{ rss: number }>('stats')).rss,
        trpc: (await trpcFloor.call<{ rss: number }>('stats')).rss,
      };
      await srv.call('cpuMark');
      await floor.call('cpuMark');
      await sleep(config.idleCpuMs);
      const serverCpu = await srv.call<{ cores: number }>('cpuSince');
      const floorCpu = await floor.call<{ cores: number }>('cpuSince');
      memory = {
        connections: size,
        added,
        serverRssBefore: before.server,
        serverRssAfter: after.server,
        perConnectionBytes: (after.server - before.server) / added,
        heapPerConnectionBytes: (after.serverHeap - before.serverHeap) / added,
        floorPerConnectionBytes: (after.floor - before.floor) / added,
        trpcPerConnectionBytes: (after.trpc - before.trpc) / added,
        idleCpuCores: serverCpu.cores,
        floorIdleCpuCores: floorCpu.cores,
        idleWindowMs: config.idleCpuMs,
        connectPerSecond: (added * 1000) / connectMs,
      };
    }
    log(`latency at ${size}: ${config.eventsPerSize} events, each also broadcast by the bare-ws floor`);
    await drainAll();
    const floorStarts = new Map<string, number>();
    const trpcStarts = new Map<string, number>();
    const samplePayload = (JSON.parse(sample) as { result: { data: { data: unknown } } }).result.data.data;
    const signed: string[] = [];
    let expected = 0;
    let missed = 0;
    await Promise.all([srv.call('cpuMark'), floor.call('cpuMark'), trpcFloor.call('cpuMark')]);
    for (let k = 0; k < config.eventsPerSize; k++) {
      await driver.call('sign', { booked: nextBooked() });
      expected += size;
      let got = await waitReceived(expected, 15_000);
      if (got < expected) {
        missed += expected - got;
        expected = got;
      }
      await sleep(30);
      const key = `F${size}x${k}`;
      const keyInSample = sample.match(/"type":"data","data":\{"id":"([^"]+)"/)?.[1] ?? '';
      floorStarts.set(
        key,
        await floor.call<number>('broadcast', { message: sample.split(keyInSample).join(key) }),
      );
      expected += size;
      got = await waitReceived(expected, 15_000);
      if (got < expected) {
        missed += expected - got;
        expected = got;
      }
      await sleep(30);
      const trpcKey = `T${size}x${k}`;
      trpcStarts.set(
        trpcKey,
        await trpcFloor.call<number>('broadcast', { key: trpcKey, payload: samplePayload }),
      );
      expected += size;
      got = await waitReceived(expected, 15_000);
      if (got < expected) {
        missed += expected - got;
        expected = got;
      }
      await sleep(30);
      signed.push(String(k));
    }
    type Cpu = { userMs: number; systemMs: number };
    const [ourCpu, bareCpu, trpcCpu] = await Promise.all([
      srv.call<Cpu>('cpuSince'),
      floor.call<Cpu>('cpuSince'),
      trpcFloor.call<Cpu>('cpuSince'),
    ]);
    const perDelivery = (cpu: Cpu) => ((cpu.userMs + cpu.systemMs) * 1000) / (config.eventsPerSize * size);
    const cpuUs = { ours: perDelivery(ourCpu), bare: perDelivery(bareCpu), trpc: perDelivery(trpcCpu) };
    const receipts = await drainAll();
    const times = await eventCommitTimes(database.url);
    const ours: number[] = [];
    const bare: number[] = [];
    const framework: number[] = [];
    let events = 0;
    for (const [key, list] of receipts) {
      const trpcT0 = trpcStarts.get(key);
      if (trpcT0 !== undefined) {
        for (const t of list) framework.push(t - trpcT0);
        continue;
      }
      const floorT0 = floorStarts.get(key);
      if (floorT0 !== undefined) {
        for (const t of list) bare.push(t - floorT0);
        continue;
      }
      const commit = times.commit.get(key);
      if (commit === undefined) continue;
      events += 1;
      for (const t of list) ours.push(t - commit);
    }
    delivery.push({ size, events, ours, floor: bare, trpcFloor: framework, missed, connectMs, cpuUs });
    const s = summarise(ours);
    const f = summarise(bare);
    const tf = summarise(framework);
    log(
      `  ours p50 ${s.p50.toFixed(1)} p99 ${s.p99.toFixed(1)} ms; bare ws p50 ${f.p50.toFixed(1)} p99 ${f.p99.toFixed(1)} ms; ` +
        `tRPC alone p50 ${tf.p50.toFixed(1)} p99 ${tf.p99.toFixed(1)} ms`,
    );
  }
  for (const size of config.sizes) await closeGroup(`floor-${size}`);
  for (const size of config.sizes) await closeGroup(`trpc-floor-${size}`);

  // (c) fan-out throughput at the largest size: signs paced at each rate.
  const fanout: Results['fanout'] = [];
  for (const rate of config.fanoutRates) {
    const count = Math.ceil(rate * config.fanoutSeconds);
    log(`fan-out: ${count} events at ${rate}/s to ${connected} subscribers`);
    await drainAll();
    const sessions = Array.from({ length: count }, nextBooked);
    await srv.call('cpuMark');
    const signs = await driver.call<{ sent: number; answered: number; error?: string }[]>('signPaced', {
      booked: sessions,
      rate,
    });
    const got = await waitReceived(count * connected, 120_000);
    const fanCpu = await srv.call<{ userMs: number; systemMs: number; cores: number }>('cpuSince');
    const receipts = await drainAll();
    const times = await eventCommitTimes(database.url);
    const latencies: number[] = [];
    let firstCommit = Number.POSITIVE_INFINITY;
    let lastReceipt = 0;
    for (const [key, list] of receipts) {
      const commit = times.commit.get(key);
      if (commit === undefined) continue;
      firstCommit = Math.min(firstCommit, commit);
      for (const t of list) {
        latencies.push(t - commit);
        lastReceipt = Math.max(lastReceipt, t);
      }
    }
    fanout.push({
      rate,
      events: count,
      subscribers: connected,
      delivered: got,
      expected: count * connected,
      seconds: (lastReceipt - firstCommit) / 1000,
      latencies,
      signErrors: signs.filter((s) => s.error).length,
      serverUsPerDelivery: ((fanCpu.userMs + fanCpu.systemMs) * 1000) / Math.max(1, got),
      serverCores: fanCpu.cores,
    });
    const s = summarise(latencies);
    log(
      `  ${Math.round(got / ((lastReceipt - firstCommit) / 1000))} deliveries/s, p99 ${s.p99.toFixed(0)} ms`,
    );
  }

  // (d) write throughput with a small fleet connected.
  for (const size of config.sizes) await closeGroup(`subs-${size}`);
  await subscribeRange('small', 0, 10);
  const flows: Results['flows'] = [];
  await query(database.url, 'SELECT pg_stat_statements_reset()');
  let failedSteps = 0;
  for (const rate of config.flowRates) {
    log(`write throughput: full flows at ${rate}/s for ${config.flowSeconds} s`);
    await drainAll();
    await srv.call('cpuMark');
    const pgCpu0 = await database.cpuSeconds();
    const wall0 = Date.now();
    const result = await driver.call<Results['flows'][number]['result']>('flows', {
      rate,
      durationMs: config.flowSeconds * 1000,
      mechanicFrom: FLOW_MECHANICS.from,
      mechanicCount: FLOW_MECHANICS.count,
    });
    const serverCpu = await srv.call<{ userMs: number; systemMs: number }>('cpuSince');
    const pgCpuSeconds = (await database.cpuSeconds()) - pgCpu0;
    const all = [...result.latencies.create, ...result.latencies.sign, ...result.latencies.accept];
    const s = summarise(all);
    const mutations = all.length;
    flows.push({
      rate,
      result,
      cpu: {
        serverMsPerMutation: (serverCpu.userMs + serverCpu.systemMs) / mutations,
        serverSystemShare: serverCpu.systemMs / (serverCpu.userMs + serverCpu.systemMs),
        postgresMsPerMutation: (pgCpuSeconds * 1000) / mutations,
        wallMs: Date.now() - wall0,
      },
    });
    log(
      `  ${((result.completed * 1000) / result.wallMs).toFixed(0)} flows/s, p99 ${s.p99.toFixed(1)} ms, errors ${JSON.stringify(result.errors)}`,
    );
    // Keep stepping past a p99 miss to show the whole curve; stop once the server is saturated.
    const achieved = (result.completed * 1000) / result.wallMs;
    if (achieved < 0.8 * rate || result.completed < 0.95 * result.started) failedSteps += 1;
    if (failedSteps >= 2) break;
    await sleep(1000);
  }
  await drainAll();
  const mutationsSent = flows.reduce(
    (sum, f) =>
      sum +
      f.result.latencies.create.length +
      f.result.latencies.sign.length +
      f.result.latencies.accept.length,
    0,
  );
  const statementRows = await query<{ query: string; calls: number; mean_ms: number }>(
    database.url,
    `SELECT regexp_replace(query, '\\s+', ' ', 'g') AS query, calls::float8 AS calls, mean_exec_time AS mean_ms
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY calls DESC`,
  );
  const statements: Results['statements'] = {
    mutations: mutationsSent,
    total: statementRows.reduce((sum, r) => sum + Number(r.calls), 0),
    top: statementRows
      .slice(0, 20)
      .map((r) => ({ query: r.query.slice(0, 160), calls: Number(r.calls), meanMs: r.mean_ms })),
  };

  // (e) accept contention: 100 mechanics, one request, one instant.
  log('accept contention');
  const contenders = Array.from({ length: 100 }, (_, i) => i);
  await driver.call('warm', { mechanics: contenders });
  const contention: Results['contention'] = [];
  for (let round = 0; round < config.contentionRounds; round++) {
    const outcome = await driver.call<{
      assignmentId: string;
      results: { ok: boolean; code: string; ms: number }[];
      spreadMs: number;
    }>('contend', { mechanics: contenders });
    const rows = await query<{ accepts: string; mechanic: string | null; status: string }>(
      database.url,
      `SELECT (SELECT count(*) FROM assignment_events WHERE assignment_id = $1 AND type = 'accept')::text AS accepts,
              mechanic_id::text AS mechanic, status::text AS status
         FROM session_assignments WHERE id = $1`,
      [outcome.assignmentId],
    );
    contention.push({
      ...outcome,
      acceptEvents: Number(rows[0]?.accepts ?? 0),
      status: rows[0]?.status ?? '?',
    });
    await sleep(300);
  }

  // (g) resume: a mechanic misses events while away, then reconnects with its last position.
  log(`resume: ${config.resumeFlows} flows while one mechanic is away`);
  await sleep(500);
  const head = await query<{ key: string }>(
    database.url,
    'SELECT coalesce(max(position), 0)::text AS key FROM assignment_events',
  );
  const lastEventId = head[0]?.key ?? '0';
  await driver.call('flows', {
    rate: 200,
    durationMs: (config.resumeFlows / 200) * 1000,
    mechanicFrom: FLOW_MECHANICS.from,
    mechanicCount: FLOW_MECHANICS.count,
  });
  await sleep(1000);
  const missedRows = await query<{ n: string }>(
    database.url,
    `SELECT count(*)::text AS n FROM assignment_events
      WHERE position > $1::bigint AND type IN ('sign_waiver', 'accept')`,
    [lastEventId],
  );
  const missedCount = Number(missedRows[0]?.n ?? 0);
  const resume: Results['resume'] = { missed: missedCount, runs: [] };
  for (let i = 0; i < config.resumeRepeats; i++) {
    const run = await (clients[0] as Child).call<Results['resume']['runs'][number]>('resume', {
      url: wsUrl,
      token: seeded.mechanics[RESUME_MECHANIC],
      lastEventId,
      expect: missedCount,
    });
    resume.runs.push(run);
    await sleep(200);
  }
  log(`  resume: ${resume.runs.map((r) => r.lastMs.toFixed(0)).join(', ')} ms for ${missedCount} events`);

  await closeGroup('small');
  const finished = new Date();
  const results: Results = {
    quick,
    profile,
    started: started.toISOString(),
    finished: finished.toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: os.totalmem() / 2 ** 30,
      node: process.version,
      platform: `${os.type()} ${os.release()}`,
      loadBefore,
      loadAfter: os.loadavg(),
      othersBefore,
      othersAfter: otherWorkloads(),
      postgres:
        (await query<{ v: string }>(database.url, "SELECT current_setting('server_version') AS v"))[0]?.v ??
        '?',
      fdLimit: (() => {
        try {
          return execSync('ulimit -n', { shell: '/bin/bash' }).toString().trim();
        } catch {
          return '?';
        }
      })(),
    },
    command: `pnpm bench${quick ? ' -- --quick' : ''}${profile ? ' -- --profile' : ''}`,
    pg: { latency: pgLatency, commitRates },
    delivery,
    memory,
    fanout,
    flows,
    statements,
    contention,
    resume,
  };
  await mkdir(resultsDir, { recursive: true });
  const stem = quick ? 'quick' : profile ? 'profile' : 'full';
  // Raw samples too (not committed), so the report can be re-rendered: tsx src/run.ts --render <file>
  await writeFile(path.join(resultsDir, `${stem}.raw`), serialize(results));
  await writeReport(results, stem);
  if (profile) {
    await cleanup?.();
    cleanup = null;
    const { readdir } = await import('node:fs/promises');
    const { summariseProfile } = await import('./profile-summary.ts');
    const files = (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile')).sort();
    const newest = files.at(-1);
    if (newest) {
      const text = summariseProfile(path.join(profileDir, newest), 40);
      await writeFile(path.join(resultsDir, 'profile-summary.txt'), text);
      log(
        `server CPU profile: packages/bench/results/profiles/${newest}; summary in results/profile-summary.txt`,
      );
    }
  }
  await shutdown(0);
}

async function writeReport(results: Results, stem: string): Promise<void> {
  await writeFile(path.join(resultsDir, `${stem}.json`), JSON.stringify(summariseForJson(results), null, 2));
  if (stem === 'full') {
    const { markdown, svg } = renderReport(results, 'packages/bench/results/latency.svg');
    await writeFile(path.join(resultsDir, 'latency.svg'), svg);
    await writeFile(path.join(repoRoot, 'BENCHMARKS.md'), markdown);
    log('wrote BENCHMARKS.md and packages/bench/results/latency.svg');
  } else {
    const { markdown, svg } = renderReport(results, `${stem}-latency.svg`);
    await writeFile(path.join(resultsDir, `${stem}-latency.svg`), svg);
    await writeFile(path.join(resultsDir, `${stem}.md`), markdown);
    log(`wrote packages/bench/results/${stem}.md`);
  }
}

/** Other heavy workloads on this shared machine (browser tests, test runners), by process name. */
function otherWorkloads(): string[] {
  try {
    const out = execSync('ps -eo comm=,args=', { encoding: 'utf8' });
    const found = new Set<string>();
    for (const line of out.split('\n')) {
      if (/chrom(e|ium)/i.test(line)) found.add('chromium');
      if (/vitest/.test(line)) found.add('vitest');
      if (/playwright/.test(line)) found.add('playwright');
      if (/turbo run/.test(line)) found.add('turbo');
    }
    return [...found];
  } catch {
    return [];
  }
}

/** The raw arrays are large; the JSON keeps their summaries. */
function summariseForJson(results: Results) {
  return {
    ...results,
    pg: { ...results.pg, latency: summarise(results.pg.latency) },
    delivery: results.delivery.map((d) => ({
      ...d,
      ours: summarise(d.ours),
      floor: summarise(d.floor),
      trpcFloor: summarise(d.trpcFloor),
    })),
    fanout: results.fanout.map((f) => ({ ...f, latencies: summarise(f.latencies) })),
    flows: results.flows.map((f) => ({
      rate: f.rate,
      ...f.result,
      latencies: Object.fromEntries(Object.entries(f.result.latencies).map(([k, v]) => [k, summarise(v)])),
    })),
  };
}

const renderIndex = argv.indexOf('--render');
const entry =
  renderIndex >= 0
    ? async () => {
        const file = argv[renderIndex + 1];
        if (!file) throw new Error('--render needs a .raw file');
        const results = deserialize(await readFile(file)) as Results;
        await writeReport(results, results.quick ? 'quick' : results.profile ? 'profile' : 'full');
      }
    : main;
entry().catch(async (error: unknown) => {
  console.error(error);
  await shutdown(1);
});
