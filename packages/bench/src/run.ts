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
      twoProcessSize: 100,
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
      resumeFlows: 1200,
      resumeRepeats: 5,
      idleCpuMs: 10_000,
      twoProcessSize: 1000,
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
  const peer = spawnChild('peer-socketio', 'floor-socketio-process.ts', ['--expose-gc']);
  const clients = Array.from({ length: CLIENT_PROCS }, (_, i) =>
    spawnChild(`clients-${i}`, 'clients-process.ts'),
  );
  // The Socket.IO clients get load generators of their own (same file): one process holds at most
  // 20,000 descriptors here, and the other three kinds already put 15,000 in each of the first two.
  const peerClients = Array.from({ length: CLIENT_PROCS }, (_, i) =>
    spawnChild(`peer-clients-${i}`, 'clients-process.ts'),
  );
  const generators = [...clients, ...peerClients];
  const driver = spawnChild('driver', 'driver-process.ts');
  await Promise.all([
    server.ready,
    floor.ready,
    trpcFloor.ready,
    peer.ready,
    driver.ready,
    ...generators.map((c) => c.ready),
  ]);
  let srv: Child = server;
  const { url } = await srv.call<{ url: string }>('info');
  const wsUrl = `${url.replace('http', 'ws')}/trpc`;
  const floorPort = (await floor.call<{ port: number }>('info')).port;
  const floorUrl = `ws://127.0.0.1:${floorPort}`;
  const trpcFloorUrl = `ws://127.0.0.1:${(await trpcFloor.call<{ port: number }>('info')).port}`;
  const peerInfo = await peer.call<{
    port: number;
    shortPort: number;
    windowMs: number;
    shortWindowMs: number;
  }>('info');
  const peerUrl = `http://127.0.0.1:${peerInfo.port}`;
  await driver.call('init', { url, customers: seeded.customers, mechanics: seeded.mechanics });

  const drainAll = async () => {
    const merged = new Map<string, number[]>();
    for (const c of generators) {
      const part = await c.call<Map<string, number[]>>('drain');
      for (const [key, times] of part) merged.set(key, [...(merged.get(key) ?? []), ...times]);
    }
    return merged;
  };
  const receivedAll = async () => {
    let total = 0;
    for (const c of generators) total += await c.call<number>('received');
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
  /** Splits mechanics [from, to) across the client processes and subscribes them at `at`. */
  const subscribeRange = async (group: string, from: number, to: number, at = wsUrl) => {
    const tokens = seeded.mechanics.slice(from, to);
    const share = Math.ceil(tokens.length / CLIENT_PROCS);
    await Promise.all(
      clients.map((c, i) =>
        c.call('subscribe', {
          url: at,
          tokens: tokens.slice(i * share, (i + 1) * share),
          group,
          concurrency: 40,
        }),
      ),
    );
  };
  /** `count` connections split across `over`, each opened by `cmd` with these arguments. */
  const connectSplit = async (over: Child[], cmd: string, count: number, args: (n: number) => unknown) => {
    const share = Math.ceil(count / over.length);
    await Promise.all(over.map((c, i) => c.call(cmd, args(Math.max(0, Math.min(share, count - i * share))))));
  };
  const connectFloor = (group: string, count: number) =>
    connectSplit(clients, 'connectPlain', count, (n) => ({
      url: floorUrl,
      count: n,
      group,
      concurrency: 100,
    }));
  const connectTrpcFloor = (group: string, count: number) =>
    connectSplit(clients, 'subscribe', count, (n) => ({
      url: trpcFloorUrl,
      tokens: Array(n).fill('none'),
      group,
      concurrency: 100,
    }));
  const connectPeer = (group: string, count: number) =>
    connectSplit(peerClients, 'connectSocketIo', count, (n) => ({
      url: peerUrl,
      count: n,
      group,
      concurrency: 100,
    }));
  const closeGroup = (group: string) => Promise.all(generators.map((c) => c.call('close', { group })));
  /** Polls `done` every 20 ms until it holds or `timeoutMs` passed; whether it held. */
  const until = async (done: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await done()) return true;
      await sleep(20);
    }
    return done();
  };
  /** Closed Socket.IO clients are gone from the peer's room (it does that work before moving on). */
  const peerRoomEmpty = (server?: 'short') =>
    until(async () => (await peer.call<number>('roomSize', { server })) === 0, 15_000);

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
  const samplePayload = (JSON.parse(sample) as { result: { data: { data: unknown } } }).result.data.data;
  const keyInSample = sample.match(/"type":"data","data":\{"id":"([^"]+)"/)?.[1] ?? '';

  type Cpu = { userMs: number; systemMs: number };
  /**
   * Latency at `size` connected clients of each kind: every event of ours (a `waiver.sign` on
   * `target`) is followed by the same payload from the bare-ws floor, tRPC alone and Socket.IO,
   * each once the one before reached every client, so all four are measured alternately.
   */
  const latencyAt = async (target: Child, size: number, connectMs: number) => {
    await drainAll();
    const starts = {
      floor: new Map<string, number>(),
      trpc: new Map<string, number>(),
      peer: new Map<string, number>(),
    };
    let expected = 0;
    let missed = 0;
    const settle = async () => {
      expected += size;
      const got = await waitReceived(expected, 15_000);
      if (got < expected) {
        missed += expected - got;
        expected = got;
      }
      await sleep(30);
    };
    const senders = [target, floor, trpcFloor, peer];
    await Promise.all([...senders, ...generators].map((c) => c.call('cpuMark')));
    for (let k = 0; k < config.eventsPerSize; k++) {
      await driver.call('sign', { booked: nextBooked() });
      await settle();
      const key = `F${size}x${k}`;
      starts.floor.set(
        key,
        await floor.call<number>('broadcast', { message: sample.split(keyInSample).join(key) }),
      );
      await settle();
      const trpcKey = `T${size}x${k}`;
      starts.trpc.set(
        trpcKey,
        await trpcFloor.call<number>('broadcast', { key: trpcKey, payload: samplePayload }),
      );
      await settle();
      const peerKey = `S${size}x${k}`;
      starts.peer.set(
        peerKey,
        await peer.call<number>('broadcast', { key: peerKey, payload: samplePayload }),
      );
      await settle();
    }
    const [ourCpu, bareCpu, trpcCpu, peerCpu] = await Promise.all(
      senders.map((c) => c.call<Cpu>('cpuSince')),
    );
    const cpuMs = async (over: Child[]) =>
      (await Promise.all(over.map((c) => c.call<Cpu>('cpuSince')))).reduce(
        (sum, cpu) => sum + cpu.userMs + cpu.systemMs,
        0,
      );
    const wsClientsMs = await cpuMs(clients);
    const peerClientsMs = await cpuMs(peerClients);
    const perDelivery = (cpu: Cpu | undefined) =>
      cpu ? ((cpu.userMs + cpu.systemMs) * 1000) / (config.eventsPerSize * size) : Number.NaN;
    const receipts = await drainAll();
    const times = await eventCommitTimes(database.url);
    const ours: number[] = [];
    const bare: number[] = [];
    const framework: number[] = [];
    const peerTimes: number[] = [];
    const floors: [Map<string, number>, number[]][] = [
      [starts.trpc, framework],
      [starts.floor, bare],
      [starts.peer, peerTimes],
    ];
    let events = 0;
    for (const [key, list] of receipts) {
      const floorKind = floors.find(([keys]) => keys.has(key));
      const t0 = floorKind ? floorKind[0].get(key) : times.commit.get(key);
      if (t0 === undefined) continue;
      const into = floorKind ? floorKind[1] : ours;
      if (!floorKind) events += 1;
      for (const t of list) into.push(t - t0);
    }
    const row: Results['delivery'][number] = {
      size,
      events,
      ours,
      floor: bare,
      trpcFloor: framework,
      peer: peerTimes,
      missed,
      connectMs,
      cpuUs: {
        ours: perDelivery(ourCpu),
        bare: perDelivery(bareCpu),
        trpc: perDelivery(trpcCpu),
        peer: perDelivery(peerCpu),
      },
      clientCpuUs: {
        ws: (wsClientsMs * 1000) / Math.max(1, ours.length + bare.length + framework.length),
        peer: (peerClientsMs * 1000) / Math.max(1, peerTimes.length),
      },
    };
    const s = summarise(row.ours);
    const f = summarise(row.floor);
    const tf = summarise(row.trpcFloor);
    const sp = summarise(peerTimes);
    log(
      `  ours p50 ${s.p50.toFixed(1)} p99 ${s.p99.toFixed(1)} ms; bare ws p50 ${f.p50.toFixed(1)} p99 ${f.p99.toFixed(1)} ms; ` +
        `tRPC alone p50 ${tf.p50.toFixed(1)} p99 ${tf.p99.toFixed(1)} ms; Socket.IO p50 ${sp.p50.toFixed(1)} p99 ${sp.p99.toFixed(1)} ms`,
    );
    return row;
  };

  // (a) + (b): latency at each size, ours and the floors interleaved event by event.
  const delivery: Results['delivery'] = [];
  let memory: Results['memory'] = null;
  let connected = 0;
  let floorConnected = 0;
  const broadcasters = () => [srv, floor, trpcFloor, peer];
  const rssAll = async () => {
    for (const c of broadcasters()) await c.call('gc');
    const serverStats = await srv.call<{ rss: number; heapUsed: number }>('stats');
    return {
      server: serverStats.rss,
      serverHeap: serverStats.heapUsed,
      floor: (await floor.call<{ rss: number }>('stats')).rss,
      trpc: (await trpcFloor.call<{ rss: number }>('stats')).rss,
      peer: (await peer.call<{ rss: number }>('stats')).rss,
    };
  };
  for (const size of config.sizes) {
    const growing = size === maxSize;
    const before = growing ? await rssAll() : null;
    log(`connecting ${size} subscribers (and ${size} each of bare-ws, tRPC-alone and Socket.IO clients)`);
    const t0 = Date.now();
    await subscribeRange(`subs-${size}`, connected, size);
    const connectMs = Date.now() - t0;
    await connectFloor(`floor-${size}`, size - floorConnected);
    await connectTrpcFloor(`trpc-floor-${size}`, size - floorConnected);
    const peerT0 = Date.now();
    await connectPeer(`peer-${size}`, size - floorConnected);
    const peerConnectMs = Date.now() - peerT0;
    const added = size - connected;
    connected = size;
    floorConnected = size;
    if (growing && before) {
      await sleep(3000);
      const after = await rssAll();
      for (const c of broadcasters()) await c.call('cpuMark');
      await sleep(config.idleCpuMs);
      const serverCpu = await srv.call<{ cores: number }>('cpuSince');
      const floorCpu = await floor.call<{ cores: number }>('cpuSince');
      const peerCpu = await peer.call<{ cores: number }>('cpuSince');
      memory = {
        connections: size,
        added,
        serverRssBefore: before.server,
        serverRssAfter: after.server,
        perConnectionBytes: (after.server - before.server) / added,
        heapPerConnectionBytes: (after.serverHeap - before.serverHeap) / added,
        floorPerConnectionBytes: (after.floor - before.floor) / added,
        trpcPerConnectionBytes: (after.trpc - before.trpc) / added,
        peerPerConnectionBytes: (after.peer - before.peer) / added,
        idleCpuCores: serverCpu.cores,
        floorIdleCpuCores: floorCpu.cores,
        peerIdleCpuCores: peerCpu.cores,
        idleWindowMs: config.idleCpuMs,
        connectPerSecond: (added * 1000) / connectMs,
        peerConnectPerSecond: (added * 1000) / peerConnectMs,
      };
    }
    log(
      `latency at ${size}: ${config.eventsPerSize} events, each also broadcast by the bare-ws, tRPC and Socket.IO floors`,
    );
    delivery.push(await latencyAt(srv, size, connectMs));
  }
  for (const size of config.sizes) await closeGroup(`trpc-floor-${size}`);
  for (const size of config.sizes) await closeGroup(`peer-${size}`);
  await peerRoomEmpty();

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
    // The bare-ws floor at the same rate to as many clients: its p99 is what (c)'s is judged by.
    const prefix = `C${String(rate).replace('.', '_')}x`;
    const due = await floor.call<number[]>('broadcastPaced', {
      message: sample,
      key: keyInSample,
      prefix,
      count,
      rate,
    });
    await waitReceived(count * floorConnected, 120_000);
    const floorLatencies: number[] = [];
    for (const [key, list] of await drainAll()) {
      const at = key.startsWith(prefix) ? due[Number(key.slice(prefix.length))] : undefined;
      if (at === undefined) continue;
      for (const t of list) floorLatencies.push(t - at);
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
      floorLatencies,
    });
    const s = summarise(latencies);
    const f = summarise(floorLatencies);
    log(
      `  ${Math.round(got / ((lastReceipt - firstCommit) / 1000))} deliveries/s, p99 ${s.p99.toFixed(0)} ms; ` +
        `bare ws at the same rate p99 ${f.p99.toFixed(0)} ms`,
    );
  }
  for (const size of config.sizes) await closeGroup(`floor-${size}`);

  /**
   * Full flows at each offered rate on `target`, 10 mechanics subscribed; steps up past a p99 miss to
   * show the whole curve and stops once two steps fall short (saturated).
   */
  const runFlows = async (target: Child): Promise<Results['flows']> => {
    const steps: Results['flows'] = [];
    let failedSteps = 0;
    for (const rate of config.flowRates) {
      log(`write throughput: full flows at ${rate}/s for ${config.flowSeconds} s`);
      await drainAll();
      await target.call('cpuMark');
      const pgCpu0 = await database.cpuSeconds();
      const wall0 = Date.now();
      const result = await driver.call<Results['flows'][number]['result']>('flows', {
        rate,
        durationMs: config.flowSeconds * 1000,
        mechanicFrom: FLOW_MECHANICS.from,
        mechanicCount: FLOW_MECHANICS.count,
      });
      const serverCpu = await target.call<{ userMs: number; systemMs: number }>('cpuSince');
      const pgCpuSeconds = (await database.cpuSeconds()) - pgCpu0;
      const all = [...result.latencies.create, ...result.latencies.sign, ...result.latencies.accept];
      const s = summarise(all);
      const mutations = all.length;
      steps.push({
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
      const achieved = (result.completed * 1000) / result.wallMs;
      if (achieved < 0.8 * rate || result.completed < 0.95 * result.started) failedSteps += 1;
      if (failedSteps >= 2) break;
      await sleep(1000);
    }
    await drainAll();
    return steps;
  };

  // (d) write throughput with a small fleet connected.
  for (const size of config.sizes) await closeGroup(`subs-${size}`);
  await subscribeRange('small', 0, 10);
  await query(database.url, 'SELECT pg_stat_statements_reset()');
  const flows = await runFlows(srv);
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

  // (d') the write path's framework floors at the same call rates: one booking per call to tRPC's
  // HTTP adapter with the real input schema and no work behind it, and to a bare node:http handler.
  const trpcFloorHttp = `http://127.0.0.1:${(await trpcFloor.call<{ port: number }>('info')).port}`;
  const writeFloors: NonNullable<Results['writeFloors']> = [];
  // The flow steps' call rates up to 200 flows/s, and the target's 500 flows/s (1,500 calls/s).
  const floorFlowRates = [
    ...new Set([
      ...config.flowRates.filter((rate) => flows.some((f) => f.rate === rate) && rate <= 200),
      500,
    ]),
  ];
  for (const flowRate of floorFlowRates) {
    for (const kind of ['trpc', 'bare'] as const) {
      const callsPerSecond = 3 * flowRate;
      log(`write-path floor: ${kind} at ${callsPerSecond} calls/s`);
      await trpcFloor.call('cpuMark');
      const result = await driver.call<{ latencies: number[]; errors: number; wallMs: number }>(
        'floorCalls',
        {
          url: trpcFloorHttp,
          kind,
          rate: callsPerSecond,
          durationMs: config.flowSeconds * 1000,
        },
      );
      const cpu = await trpcFloor.call<{ userMs: number; systemMs: number }>('cpuSince');
      const calls = result.latencies.length + result.errors;
      writeFloors.push({
        kind,
        flowRate,
        callsPerSecond,
        cpuMsPerCall: (cpu.userMs + cpu.systemMs) / Math.max(1, calls),
        latencies: result.latencies,
        errors: result.errors,
      });
      await sleep(500);
    }
  }

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

  // (g) for Socket.IO: one client of its room drops its connection (the transport closes, as on a
  // network loss), the server broadcasts as many events as ours missed, and the client reconnects;
  // connection-state recovery replays what it missed. Once within the window, once past it.
  type PeerRun = NonNullable<Results['resume']['peer']>['runs'][number];
  const peerResume = async (name: string, server: 'main' | 'short', awayMs: number): Promise<PeerRun> => {
    const c = peerClients[0] as Child;
    const port = server === 'short' ? peerInfo.shortPort : peerInfo.port;
    await c.call('peerResumeOpen', { url: `http://127.0.0.1:${port}`, name });
    // One event first, so the client holds an offset to resume from.
    await peer.call('burst', { prefix: `before-${name}-`, count: 1, payload: samplePayload, server });
    await c.call('peerResumeDrop', { name });
    if (!(await peerRoomEmpty(server === 'short' ? 'short' : undefined)))
      throw new Error('the Socket.IO server never saw the client go');
    const prefix = `missed-${name}-`;
    const awayFrom = Date.now();
    await peer.call('burst', { prefix, count: missedCount, payload: samplePayload, server });
    await sleep(Math.max(0, awayMs - (Date.now() - awayFrom)));
    return c.call<PeerRun>('peerResumeReconnect', {
      name,
      prefix,
      expect: missedCount,
      timeoutMs: server === 'short' ? 1000 : 30_000,
    });
  };
  resume.peer = {
    windowMs: peerInfo.windowMs,
    shortWindowMs: peerInfo.shortWindowMs,
    runs: [],
    expired: null,
  };
  for (let i = 0; i < config.resumeRepeats; i++) {
    resume.peer.runs.push(await peerResume(`r${i}`, 'main', 0));
    await sleep(200);
  }
  resume.peer.expired = await peerResume('late', 'short', peerInfo.shortWindowMs + 500);
  log(
    `  Socket.IO resume: ${resume.peer.runs.map((r) => `${r.count} in ${r.lastMs.toFixed(0)} ms`).join(', ')}; ` +
      `past its window: ${resume.peer.expired.count} events, recovered ${resume.peer.expired.recovered}`,
  );
  await closeGroup('small');

  // (j) one server process or two: the same (a) at 1,000 and the same (d), with the server under
  // test started through its cluster path (SERVER_PROCESSES=2: main.ts as the primary, two workers).
  const twoSize = config.twoProcessSize;
  log(`two server processes: restarting the server under test with SERVER_PROCESSES=2`);
  await srv.call('stop');
  await srv.exited;
  server = spawnChild('server-x2', 'server-process.ts', ['--expose-gc'], {
    BENCH_DATABASE_URL: database.url,
    BENCH_SERVER_PROCESSES: '2',
  });
  await server.ready;
  srv = server;
  const two = await srv.call<{ url: string; workers: number[] }>('info');
  const twoWsUrl = `${two.url.replace('http', 'ws')}/trpc`;
  await driver.call('init', { url: two.url, customers: seeded.customers, mechanics: seeded.mechanics });
  booked.push(...(await driver.call<Booked[]>('book', { count: config.eventsPerSize + 1 })));
  // The first event through each new worker warms it, as the warm-up did for the single process.
  await subscribeRange('two-warm', 0, 2, twoWsUrl);
  await driver.call('sign', { booked: nextBooked() });
  await waitReceived(2, 5000);
  await closeGroup('two-warm');
  await drainAll();
  log(`connecting ${twoSize} subscribers to the two processes (and ${twoSize} of each floor's clients)`);
  const twoT0 = Date.now();
  await subscribeRange('two-subs', 0, twoSize, twoWsUrl);
  const twoConnectMs = Date.now() - twoT0;
  await connectFloor('two-floor', twoSize);
  await connectTrpcFloor('two-trpc-floor', twoSize);
  await connectPeer('two-peer', twoSize);
  log(`latency at ${twoSize} on two processes: ${config.eventsPerSize} events, floors interleaved as in (a)`);
  const twoDelivery = await latencyAt(srv, twoSize, twoConnectMs);
  for (const group of ['two-subs', 'two-floor', 'two-trpc-floor', 'two-peer']) await closeGroup(group);
  await peerRoomEmpty();
  await subscribeRange('two-small', 0, 10, twoWsUrl);
  const twoFlows = await runFlows(srv);
  await closeGroup('two-small');
  const twoProcesses: Results['twoProcesses'] = {
    processes: 2,
    workerPids: two.workers.length,
    delivery: twoDelivery,
    flows: twoFlows,
  };

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
    writeFloors,
    statements,
    contention,
    resume,
    twoProcesses,
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
  const deliveryRow = (d: Results['delivery'][number]) => ({
    ...d,
    ours: summarise(d.ours),
    floor: summarise(d.floor),
    trpcFloor: summarise(d.trpcFloor),
    peer: d.peer ? summarise(d.peer) : undefined,
  });
  const flowRows = (flows: Results['flows']) =>
    flows.map((f) => ({
      rate: f.rate,
      ...f.result,
      cpu: f.cpu,
      latencies: Object.fromEntries(Object.entries(f.result.latencies).map(([k, v]) => [k, summarise(v)])),
    }));
  return {
    ...results,
    pg: { ...results.pg, latency: summarise(results.pg.latency) },
    delivery: results.delivery.map(deliveryRow),
    fanout: results.fanout.map((f) => ({
      ...f,
      latencies: summarise(f.latencies),
      floorLatencies: f.floorLatencies ? summarise(f.floorLatencies) : undefined,
    })),
    flows: flowRows(results.flows),
    writeFloors: results.writeFloors?.map((w) => ({ ...w, latencies: summarise(w.latencies) })),
    twoProcesses: results.twoProcesses
      ? {
          ...results.twoProcesses,
          delivery: deliveryRow(results.twoProcesses.delivery),
          flows: flowRows(results.twoProcesses.flows),
        }
      : null,
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
