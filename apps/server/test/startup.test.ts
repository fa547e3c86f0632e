// The real `pnpm start` entry point, failing on purpose: each failure must end with exactly one
// line on stderr naming the problem and the fix, exit status 1, and nothing left running.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, startEmbeddedPostgres } from '@dispatch/db';
import { freePort } from '@dispatch/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { assertPortFree, banner } from '../src/startup.ts';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'dispatch-startup-test-'));
  await chmod(folder, 0o755); // as root, the embedded server runs as `postgres` and must enter it
});
afterAll(() => rm(folder, { recursive: true, force: true }));

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      DATABASE_URL: '',
      PGDATA_DIR: path.join(folder, 'postgres'),
      LOG_FILE: path.join(folder, 'server.log'),
      SERVE_APPS: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
}

function occupy(port: number): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(port, '0.0.0.0', () => resolve(server));
  });
}

it('a port in use: one line, exit 1, and the embedded database never started', async () => {
  const port = await freePort();
  const blocker = await occupy(port);
  try {
    const result = await run({ PORT: String(port), EMBEDDED_PG_PORT: String(await freePort()) });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(`^Cannot start: port ${port} \\(PORT\\) is already in use\\. Fix: .*PORT=${port + 1}.*\\n$`),
    );
    expect(existsSync(path.join(folder, 'postgres'))).toBe(false);
    expect(await readFile(path.join(folder, 'server.log'), 'utf8')).toContain('"msg":"start-up failed"');
  } finally {
    blocker.close();
  }
});

it('bad configuration: one line naming every bad variable', async () => {
  const result = await run({ PORT: 'eighty', DISPATCH_MODE: 'random' });
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(/^Cannot start: invalid configuration: PORT: .*; DISPATCH_MODE: .*Fix: /);
});

it('DATABASE_URL unreachable: one line with the fix and no password', async () => {
  const result = await run({
    PORT: '0',
    DATABASE_URL: `postgres://app:s3cret@127.0.0.1:${await freePort()}/dispatch`,
  });
  expect(result.code).toBe(1);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(
    /^Cannot start: cannot reach the database at DATABASE_URL .*ECONNREFUSED.*Fix: /,
  );
  expect(result.stderr).not.toContain('s3cret');
});

it('migrations failing after the embedded database started: one line, and PostgreSQL stopped again', async () => {
  const dataDir = path.join(folder, 'conflicting');
  const port = await freePort();
  const cluster = await startEmbeddedPostgres({ dataDir, port, database: 'dispatch' });
  const db = createDb(cluster.connectionString);
  await db.$executeRawUnsafe('CREATE TABLE users (not_our_schema int)'); // migrations refuse a non-empty schema
  await db.$disconnect();
  await cluster.stop();

  const result = await run({ PORT: '0', PGDATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port) });
  expect(result.code).toBe(1);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(/^Cannot start: migrations failed: .*Fix: /);
  expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false); // no orphan postgres
});

it('METRICS_PORT in use is caught before the database starts too', async () => {
  const port = await freePort();
  const blocker = await occupy(port);
  try {
    const result = await run({ PORT: '0', METRICS_PORT: String(port), METRICS_HOST: '0.0.0.0' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^Cannot start: port ${port} \\(METRICS_PORT\\) is already in use`),
    );
    expect(existsSync(path.join(folder, 'postgres'))).toBe(false);
  } finally {
    blocker.close();
  }
});

it('assertPortFree passes a free port and names the fix for a taken one', async () => {
  const port = await freePort();
  await expect(assertPortFree(port, '127.0.0.1')).resolves.toBeUndefined();
  const blocker = await occupy(port);
  try {
    await expect(assertPortFree(port, '127.0.0.1')).rejects.toThrow(`port ${port} (PORT) is already in use`);
  } finally {
    blocker.close();
  }
});

it('the banner shows the real port in every URL', () => {
  const text = banner({
    url: 'http://localhost:4321',
    startedMs: 1200,
    database: 'DATABASE_URL',
    logFile: '/x/server.log',
    demoTable: 'email  role',
    demoPassword: 'pw',
  });
  expect(text).toContain('Customer app:  http://localhost:4321/\n');
  expect(text).toContain('Mechanic app:  http://localhost:4321/mechanic/\n');
  expect(text).toMatch(/Admin: +http:\/\/localhost:4321\/mechanic\//);
  expect(text).toContain('Demo accounts (password pw)');
});
