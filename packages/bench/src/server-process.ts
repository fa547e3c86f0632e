// The server under test, alone in its own process: the real startServer, no SPAs, silent logs.
// With BENCH_SERVER_PROCESSES=N (N > 1) it is instead the real `pnpm start` entry
// (apps/server/src/main.ts) with SERVER_PROCESSES=N: this process becomes the cluster primary
// (it prepares the database and forks N workers on one port), and its CPU and memory answers sum
// the primary and every worker.
import cluster from 'node:cluster';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEnv } from '@dispatch/server/env';
import { startServer } from '@dispatch/server/server';
import pino from 'pino';
import { serve } from './ipc.ts';
import { processHandlers } from './process-handlers.ts';

/** The server's own entry point; run unchanged, only configured through its environment. */
const MAIN = '../../../apps/server/src/main.ts';

const settings = {
  PORT: '0',
  HOST: '127.0.0.1',
  SERVE_APPS: 'false',
  SEED_DEMO_DATA: 'false',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
  // A case may set more (probe-receipts.ts: RECEIPT_RETENTION_DAYS, with and without receipts).
  ...(JSON.parse(process.env.BENCH_SERVER_ENV ?? '{}') as Record<string, string>),
};

interface Usage {
  cpu: NodeJS.CpuUsage;
  rss: number;
  heapUsed: number;
}
interface WorkerReply extends Usage {
  bench: string;
  id: number;
}

const processes = Number(process.env.BENCH_SERVER_PROCESSES ?? '1');
if (cluster.isWorker) await worker();
else if (processes > 1) await primary(processes);
else await single();

async function single(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  if (!databaseUrl) throw new Error('BENCH_DATABASE_URL is required');
  const env = loadEnv(settings);
  const log = pino({ level: 'warn' });
  const server = await startServer({ env, databaseUrl, log });
  serve({
    info: () => ({ url: server.url, port: server.port, pid: process.pid, processes: 1 }),
    stats: () => {
      const memory = process.memoryUsage();
      return { rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external };
    },
    ...processHandlers,
    stop: async () => {
      await server.close();
      setTimeout(() => process.exit(0), 10);
      return true;
    },
  });
  process.send?.({ ready: true });
}

/** A cluster worker: main.ts's worker path, plus answers to the primary's usage questions. */
async function worker(): Promise<void> {
  process.on('message', (message: { bench?: string; id?: number }) => {
    const { bench, id } = message ?? {};
    if ((bench !== 'usage' && bench !== 'gc') || id === undefined) return;
    void (bench === 'gc' ? processHandlers.gc() : Promise.resolve()).then(() => {
      const memory = process.memoryUsage();
      process.send?.({
        bench,
        id,
        cpu: process.cpuUsage(),
        rss: memory.rss,
        heapUsed: memory.heapUsed,
      } satisfies WorkerReply);
    });
  });
  await import(MAIN);
}

async function primary(count: number): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  if (!databaseUrl) throw new Error('BENCH_DATABASE_URL is required');
  // Warnings reach the terminal too (main.ts's log), so the file goes with the process.
  const logFile = path.join(tmpdir(), `dispatch-bench-cluster-${process.pid}.log`);
  process.on('exit', () => rmSync(logFile, { force: true }));
  Object.assign(process.env, settings, {
    DATABASE_URL: databaseUrl,
    SERVER_PROCESSES: String(count),
    LOG_FILE: logFile,
  });
  let nextId = 1;
  const pending = new Map<
    number,
    { left: number; replies: WorkerReply[]; done: (r: WorkerReply[]) => void }
  >();
  let url: string | null = null;
  let ready = 0;
  const allReady = new Promise<void>((resolve) => {
    cluster.on('message', (_worker, message: Partial<WorkerReply> & { kind?: string; url?: string }) => {
      if (message?.kind === 'ready') {
        url ??= message.url ?? null;
        ready += 1;
        if (ready === count) resolve();
        return;
      }
      const waiter = message?.id === undefined ? undefined : pending.get(message.id);
      if (!waiter) return;
      waiter.replies.push(message as WorkerReply);
      waiter.left -= 1;
      if (waiter.left === 0) {
        pending.delete(message.id as number);
        waiter.done(waiter.replies);
      }
    });
  });
  const workers = () => Object.values(cluster.workers ?? {}).filter((w) => w !== undefined && !w.isDead());
  /** Every live worker's usage (after a full GC when `bench` is 'gc'). */
  const ask = (bench: 'usage' | 'gc') =>
    new Promise<WorkerReply[]>((resolve) => {
      const live = workers();
      const id = nextId++;
      pending.set(id, { left: live.length, replies: [], done: resolve });
      for (const w of live) w?.send({ bench, id });
    });
  const usage = async (): Promise<Usage[]> => {
    const memory = process.memoryUsage();
    const own = { cpu: process.cpuUsage(), rss: memory.rss, heapUsed: memory.heapUsed };
    return [own, ...(await ask('usage'))];
  };

  await import(MAIN);
  await allReady;
  if (!url) throw new Error('the cluster reported no URL');
  const listening: string = url;
  const totalCpuUs = (all: Usage[]) => {
    let user = 0;
    let system = 0;
    for (const u of all) {
      user += u.cpu.user;
      system += u.cpu.system;
    }
    return { user, system };
  };
  let mark = { at: performance.now(), user: 0, system: 0 };
  serve({
    info: () => ({
      url: listening,
      port: Number(new URL(listening).port),
      pid: process.pid,
      processes: count,
      workers: workers().map((w) => w?.process.pid),
    }),
    /** RSS and heap summed over the primary and the workers. */
    stats: async () => {
      const all = await usage();
      return {
        rss: all.reduce((sum, u) => sum + u.rss, 0),
        heapUsed: all.reduce((sum, u) => sum + u.heapUsed, 0),
        perProcess: all.map((u) => u.rss),
      };
    },
    gc: async () => {
      await processHandlers.gc();
      await ask('gc');
      return true;
    },
    cpuMark: async () => {
      mark = { at: performance.now(), ...totalCpuUs(await usage()) };
      return true;
    },
    /** CPU of the primary and every worker since cpuMark, summed; `cores` as a fraction of one. */
    cpuSince: async () => {
      const { user, system } = totalCpuUs(await usage());
      const wall = performance.now() - mark.at;
      return {
        userMs: (user - mark.user) / 1000,
        systemMs: (system - mark.system) / 1000,
        wallMs: wall,
        cores: (user - mark.user + system - mark.system) / 1000 / wall,
      };
    },
    /** main.ts stops the workers (each drains) and exits on SIGTERM. */
    stop: () => {
      process.kill(process.pid, 'SIGTERM');
      return true;
    },
  });
  process.send?.({ ready: true });
}
