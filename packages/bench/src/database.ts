// The benchmark's own PostgreSQL: embedded, in a temp folder, durable defaults (fsync on, like
// `pnpm start`), plus track_commit_timestamp so every event's commit time can be read back.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type EmbeddedPostgres, hashPassword, migrate, startEmbeddedPostgres } from '@dispatch/db';
import { freePort } from '@dispatch/db/testing';
import pg from 'pg';

export interface BenchDatabase {
  url: string;
  /** CPU seconds used so far by the cluster's live processes (postmaster and backends). */
  cpuSeconds(): Promise<number>;
  cpuSplit(): Promise<{ user: number; system: number }>;
  stop(): Promise<void>;
}

export async function startBenchDatabase(): Promise<BenchDatabase> {
  const dataDir = path.join(tmpdir(), `dispatch-bench-pg-${process.pid}-${randomBytes(3).toString('hex')}`);
  const port = await freePort();
  const options = { dataDir, port, database: 'bench', ephemeral: false };
  let server: EmbeddedPostgres = await startEmbeddedPostgres(options);
  const admin = new pg.Client({ connectionString: server.connectionString });
  await admin.connect();
  await admin.query('ALTER SYSTEM SET track_commit_timestamp = on');
  await admin.query('ALTER SYSTEM SET max_connections = 300');
  // Counts every statement the server sends, to show SQL round trips per mutation.
  await admin.query("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
  await admin.end();
  await server.stop(); // track_commit_timestamp needs a restart
  server = await startEmbeddedPostgres(options);
  const url = server.connectionString;
  await migrate(url);
  await query(url, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  let stopped = false;
  return {
    url,
    cpuSeconds: () => clusterCpuSeconds(dataDir),
    cpuSplit: () => clusterCpuSplit(dataDir),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop().catch(() => {});
      await rm(dataDir, { recursive: true, force: true }).catch(() => {});
    },
  };
}

async function clusterCpuSeconds(dataDir: string): Promise<number> {
  const { user, system } = await clusterCpuSplit(dataDir);
  return user + system;
}

/**
 * User and system CPU seconds of the cluster: the postmaster, its live children, and the children
 * it has reaped (its cutime/cstime), so a backend or worker that exits between two readings keeps
 * its CPU in the total instead of taking it out (which made a step's figure negative).
 */
async function clusterCpuSplit(dataDir: string): Promise<{ user: number; system: number }> {
  const postmaster = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  let user = 0;
  let system = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(entry);
    if (pid !== postmaster && Number(fields[1]) !== postmaster) continue;
    user += Number(fields[11]); // utime
    system += Number(fields[12]); // stime
    if (pid === postmaster) {
      user += Number(fields[13]); // cutime: reaped children
      system += Number(fields[14]); // cstime
    }
  }
  return { user: user / 100, system: system / 100 }; // USER_HZ
}

export interface Seeded {
  customers: string[];
  mechanics: string[];
}

/** Inserts users with ready auth sessions (cookie token → sha256 id), skipping N HTTP log-ins. */
export async function seedUsers(
  url: string,
  counts: { customers: number; mechanics: number },
): Promise<Seeded> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  const passwordHash = await hashPassword('bench-password-1');
  const expires = new Date(Date.now() + 24 * 3600 * 1000);
  const make = async (role: 'customer' | 'mechanic', count: number) => {
    const ids: string[] = [];
    const emails: string[] = [];
    const tokens: string[] = [];
    const hashes: string[] = [];
    for (let i = 0; i < count; i++) {
      const token = randomBytes(32).toString('base64url');
      ids.push(randomUUID());
      emails.push(`${role}${i}@bench.test`);
      tokens.push(token);
      hashes.push(createHash('sha256').update(token).digest('hex'));
    }
    await client.query(
      `INSERT INTO users (id, email, password_hash, role, display_name)
       SELECT id, email, $3, $4::user_role, initcap($4::text) || ' ' || n
         FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS t(id, email, n)`,
      [ids, emails, passwordHash, role],
    );
    if (role === 'mechanic') {
      await client.query(
        `INSERT INTO mechanics (user_id, kind, availability, virtual_capacity) SELECT id, 'virtual_only', 'available', 100000 FROM unnest($1::uuid[]) AS id`,
        [ids],
      );
    }
    await client.query(
      `INSERT INTO auth_sessions (id, user_id, expires_at) SELECT h, u, $3 FROM unnest($1::text[], $2::uuid[]) AS t(h, u)`,
      [hashes, ids, expires],
    );
    return tokens;
  };
  const customers = await make('customer', counts.customers);
  const mechanics = await make('mechanic', counts.mechanics);
  await client.end();
  return { customers, mechanics };
}

export interface CommitTimes {
  /** Commit time (ms since epoch, from track_commit_timestamp) by encoded position. */
  commit: Map<string, number>;
  type: Map<string, string>;
}

export async function eventCommitTimes(url: string): Promise<CommitTimes> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  const { rows } = await client.query<{ key: string; commit_ms: string; type: string }>(
    `SELECT position::text AS key, type,
            extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000 AS commit_ms
       FROM assignment_events`,
  );
  await client.end();
  const commit = new Map<string, number>();
  const type = new Map<string, string>();
  for (const row of rows) {
    commit.set(row.key, Number(row.commit_ms));
    type.set(row.key, row.type);
  }
  return { commit, type };
}

export async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
