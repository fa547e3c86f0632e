// PostgreSQL's own floors: one commit + NOTIFY + LISTEN round trip, and how many notifying commits
// per second the database takes at all, with and without NOTIFY, from many connections.
import pg from 'pg';
import { nowMs } from './ipc.ts';

const CHANNEL = 'bench_floor';

export async function pgNotifyLatency(url: string, count: number): Promise<number[]> {
  const setup = new pg.Client({ connectionString: url });
  setup.on('error', () => {});
  await setup.connect();
  await setup.query('CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY, note text)');
  await setup.end();
  const listener = new pg.Client({ connectionString: url });
  listener.on('error', () => {});
  const writer = new pg.Client({ connectionString: url });
  writer.on('error', () => {});
  await Promise.all([listener.connect(), writer.connect()]);
  await listener.query(`LISTEN ${CHANNEL}`);
  const received = new Map<string, number>();
  let wake: (() => void) | null = null;
  listener.on('notification', (message) => {
    received.set(message.payload ?? '', nowMs());
    wake?.();
  });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    await writer.query('BEGIN');
    const { rows } = await writer.query<{ id: string }>(
      "INSERT INTO bench_floor (note) VALUES ('x') RETURNING id::text AS id",
    );
    const id = rows[0]?.id ?? '';
    await writer.query('SELECT pg_notify($1, $2)', [CHANNEL, id]);
    const arrived = new Promise<void>((resolve) => {
      wake = resolve;
    });
    await writer.query('COMMIT');
    if (!received.has(id)) await Promise.race([arrived, new Promise((r) => setTimeout(r, 2000))]);
    ids.push(id);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const { rows } = await writer.query<{ id: string; commit_ms: number }>(
    `SELECT id::text AS id, extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000 AS commit_ms
       FROM bench_floor WHERE id = ANY($1::bigint[])`,
    [ids],
  );
  await Promise.all([listener.end(), writer.end()]);
  return rows.map((row) => (received.get(row.id) ?? Number.NaN) - Number(row.commit_ms));
}

/** `count` connected clients that ignore connection errors (the floors measure, they do not recover). */
function connectClients(url: string, count: number): Promise<pg.Client[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {});
      await client.connect();
      return client;
    }),
  );
}

/** The rate and p99 of `commits` operations that took `latencies` ms each over `wallMs`. */
function rateOf(commits: number, latencies: number[], wallMs: number) {
  latencies.sort((a, b) => a - b);
  return {
    commitsPerSecond: (commits * 1000) / wallMs,
    p99Ms: latencies[Math.ceil(latencies.length * 0.99) - 1] ?? Number.NaN,
  };
}

/**
 * Commits per second from `connections` writers for `durationMs`, each an insert; with `notify`, a
 * pg_notify inside each transaction (what the app does today); with `coalesced`, no notify inside
 * the transactions but one notifier connection that sends a pg_notify after commits, at most one in
 * flight (what the report proposes).
 */
export async function pgCommitRate(
  url: string,
  options: { connections: number; durationMs: number; notify: boolean; coalesced?: boolean },
): Promise<{ commitsPerSecond: number; p99Ms: number; notifies: number }> {
  const listener = new pg.Client({ connectionString: url });
  listener.on('error', () => {});
  await listener.connect();
  await listener.query(`LISTEN ${CHANNEL}`);
  listener.on('notification', () => {});
  const clients = await connectClients(url, options.connections);
  let commits = 0;
  let notifies = 0;
  const latencies: number[] = [];
  const notifier = new pg.Client({ connectionString: url });
  notifier.on('error', () => {});
  await notifier.connect();
  let dirty = false;
  let sending: Promise<void> | null = null;
  const kick = () => {
    dirty = true;
    sending ??= (async () => {
      while (dirty) {
        dirty = false;
        await notifier.query(`SELECT pg_notify('${CHANNEL}', '')`);
        notifies += 1;
      }
      sending = null;
    })();
  };
  const end = nowMs() + options.durationMs;
  const start = nowMs();
  await Promise.all(
    clients.map(async (client) => {
      while (nowMs() < end) {
        const t0 = nowMs();
        await client.query('BEGIN');
        await client.query("INSERT INTO bench_floor (note) VALUES ('y')");
        if (options.notify) await client.query(`SELECT pg_notify('${CHANNEL}', '')`);
        await client.query('COMMIT');
        if (options.coalesced) kick();
        latencies.push(nowMs() - t0);
        commits += 1;
      }
    }),
  );
  const wall = nowMs() - start;
  await sending;
  await Promise.all([...clients, listener, notifier].map((client) => client.end()));
  return { ...rateOf(commits, latencies, wall), notifies: options.notify ? commits : notifies };
}

/**
 * The cost of ordering event writers (docs/DESIGN.md, "Positions"): appends per second from
 * `connections` writers, each one autocommit INSERT of an event row (what a command's write
 * statement ends with). `ordered`: into assignment_events, whose trigger takes the event-order
 * advisory lock, draws the position and notifies. Otherwise: into a copy of the table without the
 * trigger, with the same pg_notify in the statement: the path before commit-ordered positions.
 */
export async function pgEventAppendRate(
  url: string,
  options: { connections: number; durationMs: number; ordered: boolean },
): Promise<{ commitsPerSecond: number; p99Ms: number; notifies: number }> {
  const setup = new pg.Client({ connectionString: url });
  setup.on('error', () => {});
  await setup.connect();
  await setup.query(
    `CREATE TABLE IF NOT EXISTS bench_unordered_events (LIKE assignment_events INCLUDING DEFAULTS);
     CREATE SEQUENCE IF NOT EXISTS bench_unordered_events_id_seq;
     ALTER TABLE bench_unordered_events ALTER COLUMN id SET DEFAULT nextval('bench_unordered_events_id_seq')`,
  );
  await setup.end();
  const table = options.ordered ? 'assignment_events' : 'bench_unordered_events';
  const notify = options.ordered ? '' : ", pg_notify('assignment_events', '')";
  const sql = `WITH e AS (INSERT INTO ${table} (assignment_id, session_id, type, to_status, actor_kind, data)
      VALUES (gen_random_uuid(), gen_random_uuid(), 'bench_probe', 'queued', 'system', '{}') RETURNING 1)
    SELECT 1 FROM e${notify}`;
  const clients = await connectClients(url, options.connections);
  let commits = 0;
  const latencies: number[] = [];
  const end = nowMs() + options.durationMs;
  const start = nowMs();
  await Promise.all(
    clients.map(async (client) => {
      while (nowMs() < end) {
        const t0 = nowMs();
        await client.query(sql);
        latencies.push(nowMs() - t0);
        commits += 1;
      }
    }),
  );
  const wall = nowMs() - start;
  await Promise.all(clients.map((client) => client.end()));
  return { ...rateOf(commits, latencies, wall), notifies: commits };
}
