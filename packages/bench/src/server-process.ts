// The server under test, alone in its own process: the real startServer, no SPAs, silent logs.
import { loadEnv } from '@dispatch/server/env';
import { startServer } from '@dispatch/server/server';
import pino from 'pino';
import { serve } from './ipc.ts';

const databaseUrl = process.env.BENCH_DATABASE_URL;
if (!databaseUrl) throw new Error('BENCH_DATABASE_URL is required');

const env = loadEnv({
  PORT: '0',
  HOST: '127.0.0.1',
  SERVE_APPS: 'false',
  SEED_DEMO_DATA: 'false',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
});
const log = pino({ level: 'warn' });
const server = await startServer({ env, databaseUrl, log });

let cpuMark = process.cpuUsage();
let wallMark = performance.now();

serve({
  info: () => ({ url: server.url, port: server.port, pid: process.pid }),
  stats: () => {
    const memory = process.memoryUsage();
    return { rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external };
  },
  gc: async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let i = 0; i < 3; i++) {
      gc?.();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return Boolean(gc);
  },
  /** Starts a CPU-time window. */
  cpuMark: () => {
    cpuMark = process.cpuUsage();
    wallMark = performance.now();
    return true;
  },
  /** CPU used since cpuMark, as a fraction of one core. */
  cpuSince: () => {
    const used = process.cpuUsage(cpuMark);
    const wall = performance.now() - wallMark;
    return {
      userMs: used.user / 1000,
      systemMs: used.system / 1000,
      wallMs: wall,
      cores: (used.user + used.system) / 1000 / wall,
    };
  },
  stop: async () => {
    await server.close();
    setTimeout(() => process.exit(0), 10);
    return true;
  },
});
process.send?.({ ready: true });
