import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../src/admin.ts';
import { startEmbeddedPostgres } from '../src/embedded.ts';
import { freePort } from '../src/test-server.ts';

let parent: string;
let dataDir: string;
let port: number;

beforeAll(async () => {
  parent = await mkdtemp(path.join(tmpdir(), 'dispatch-embedded-test-'));
  await chmod(parent, 0o755); // as root, the server runs as `postgres` and must reach the folder
  dataDir = path.join(parent, 'postgres');
  port = await freePort();
});
afterAll(() => rm(parent, { recursive: true, force: true }));

const start = () => startEmbeddedPostgres({ dataDir, port, database: 'app' });
const query = (url: string, sql: string) => withClient(url, (client) => client.query(sql));

describe('startEmbeddedPostgres', () => {
  it('initialises once and keeps data across restarts', async () => {
    const first = await start();
    expect(first.owned).toBe(true);
    await query(first.connectionString, 'CREATE TABLE kept (id int)');
    await first.stop();

    const second = await start();
    const result = await query(second.connectionString, "SELECT to_regclass('kept') AS kept");
    expect(result.rows[0].kept).toBe('kept');
    await second.stop();
  });

  it('starts despite a stale postmaster.pid left by a killed run', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid ?? 999_999;
    await writeFile(path.join(dataDir, 'postmaster.pid'), `${dead}\n${dataDir}\n0\n${port}\n`);
    const server = await start();
    expect(server.owned).toBe(true);
    await query(server.connectionString, 'SELECT 1');
    await server.stop();
    expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
  });

  it('attaches to a server another process already runs on the same data directory', async () => {
    const running = await start();
    const attached = await start();
    expect(attached.owned).toBe(false);
    expect(attached.connectionString).toBe(running.connectionString);
    await attached.stop(); // not ours: leaves the server running
    await query(running.connectionString, 'SELECT 1');
    await running.stop();
  });
});
