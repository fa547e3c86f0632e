import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '@dispatch/db';

export { freePort } from '@dispatch/db/testing';

import type { RunningServer } from '../../src/server.ts';
import type { FaultProxy } from './fault-proxy.ts';

export async function waitUntilReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not become ready`);
}

/** PostgreSQL that can be restarted in place (same data, same port). */
export class RestartablePostgres {
  #pg: EmbeddedPostgres | null = null;
  constructor(
    readonly dataDir: string,
    readonly port: number,
  ) {}

  async start(): Promise<string> {
    this.#pg = await startEmbeddedPostgres({ dataDir: this.dataDir, port: this.port, database: 'chaos' });
    return this.#pg.connectionString;
  }

  async stop(): Promise<void> {
    await this.#pg?.stop();
    this.#pg = null;
  }
}

/** The real server entry point as its own OS process, so it can be SIGKILLed mid-flight. */
export class ServerProcess {
  #child: ChildProcess | null = null;
  stderr = '';
  constructor(
    readonly port: number,
    readonly databaseUrl: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
    this.#child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: {
        ...process.env,
        DATABASE_URL: this.databaseUrl,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        SERVE_APPS: 'false',
        SEED_DEMO_DATA: 'false',
        LOG_LEVEL: 'warn',
        LOG_FILE: '-', // JSON on stdout (ignored), as before; not into the checkout's .data/logs
        PROCESS_NAME: 'chaos-B',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.#child.stderr?.on('data', (chunk) => {
      this.stderr = (this.stderr + String(chunk)).slice(-4000);
    });
    await waitUntilReady(this.url);
  }

  kill(): void {
    this.#child?.kill('SIGKILL');
    this.#child = null;
  }
}

export interface Node {
  name: string;
  proxy: FaultProxy;
  up: boolean;
  inProcess: RunningServer | null;
}
