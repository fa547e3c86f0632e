// A throwaway embedded PostgreSQL for one test run: temp data dir, free port, no fsync.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded.ts';
import { FolderAccessError } from './postgres-access.ts';
import { isAlive, isPostgresProcess } from './process-alive.ts';

const PREFIX = 'dispatch-test-pg-';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

// Clusters of test runs that were killed: stop their server and delete the folder.
async function sweepOrphans(): Promise<void> {
  for (const entry of await readdir(tmpdir())) {
    if (!entry.startsWith(PREFIX)) continue;
    const owner = Number(entry.slice(PREFIX.length).split('-')[0]);
    if (!Number.isInteger(owner) || isAlive(owner)) continue;
    const dir = path.join(tmpdir(), entry);
    const pid = Number(
      (await readFile(path.join(dir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0],
    );
    if (isAlive(pid) && (await isPostgresProcess(pid))) {
      try {
        process.kill(pid, 'SIGQUIT'); // immediate shutdown
      } catch {}
    }
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

export async function startTestServer(): Promise<EmbeddedPostgres> {
  await sweepOrphans();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dataDir = path.join(tmpdir(), `${PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      return await startEmbeddedPostgres({
        dataDir,
        port: await freePort(),
        database: 'postgres',
        ephemeral: true,
      });
    } catch (error) {
      await rm(dataDir, { recursive: true, force: true }).catch(() => {});
      if (error instanceof FolderAccessError) throw error; // another port will not help
      lastError = error; // most likely the port was taken in between: try another
    }
  }
  throw lastError;
}
