// The server under test, alone in its own process: the real startServer, no SPAs, silent logs.
import { loadEnv } from '@dispatch/server/env';
import { startServer } from '@dispatch/server/server';
import pino from 'pino';
import { serve } from './ipc.ts';
import { processHandlers } from './process-handlers.ts';

const databaseUrl = process.env.BENCH_DATABASE_URL;
if (!databaseUrl) throw new Error('BENCH_DATABASE_URL is required');

const env = loadEnv({
  PORT: '0',
  HOST: '127.0.0.1',
  SERVE_APPS: 'false',
  SEED_DEMO_DATA: 'false',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
  // A case may set more (probe-receipts.ts: RECEIPT_RETENTION_DAYS, with and without receipts).
  ...(JSON.parse(process.env.BENCH_SERVER_ENV ?? '{}') as Record<string, string>),
});
const log = pino({ level: 'warn' });
const server = await startServer({ env, databaseUrl, log });

serve({
  info: () => ({ url: server.url, port: server.port, pid: process.pid }),
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
