// `pnpm start`: configuration, port check, database, migrations, demo data, then the server.
// Any failure ends with one line on stderr naming the problem and the fix, exit status 1, and the
// embedded PostgreSQL stopped again; the full error goes to the log file.
import {
  createDb,
  DEMO_PASSWORD,
  demoLoginsTable,
  migrate,
  type ResolvedDatabase,
  resolveDatabase,
  seed,
} from '@dispatch/db';
import { isClusterWorker, reportReady, startCluster } from './cluster.ts';
import { type Env, loadEnv } from './env.ts';
import type { RunningServer } from './server.ts';
import { startServer } from './server.ts';
import { assertPortFree, banner, createServerLog, oneLine, type ServerLog, step } from './startup.ts';

const started = performance.now();
let output: ServerLog | undefined;
let database: ResolvedDatabase | undefined;

async function main(): Promise<void> {
  const env = loadEnv();
  const logs = await step(
    `cannot write the log file ${env.LOG_FILE}`,
    'set LOG_FILE to a file you may write, or LOG_FILE=- for stdout',
    () => createServerLog(env),
  );
  output = logs;
  const { log } = logs;
  // Before the database starts, so a taken port leaves nothing behind.
  await assertPortFree(env.PORT, env.HOST);
  if (env.METRICS_PORT !== undefined) {
    await assertPortFree(env.METRICS_PORT, env.METRICS_HOST, { port: 'METRICS_PORT', host: 'METRICS_HOST' });
  }
  database = await resolveDatabase(env);
  const { url } = database;
  log.info({ source: database.source }, 'database ready');
  const migrated = await step(
    'migrations failed',
    'correct the failing migration in prisma/migrations (or the database it ran on), then start again',
    () => migrate(url),
  );
  log.info({ applied: migrated.applied }, 'migrations applied');
  const demoTable = env.SEED_DEMO_DATA
    ? await step('seeding the demo accounts failed', 'start with SEED_DEMO_DATA=false', () =>
        seedDemoData(url, logs),
      )
    : null;
  const server =
    env.SERVER_PROCESSES > 1
      ? await step('the server processes did not start', `see the log file (${logs.file ?? 'stdout'})`, () =>
          startCluster(
            env.SERVER_PROCESSES,
            { DATABASE_URL: url, SEED_DEMO_DATA: 'false' },
            log,
            env.PROCESS_NAME,
          ),
        )
      : await step('the server did not start', `see the log file (${logs.file ?? 'stdout'})`, () =>
          startServer({ env, databaseUrl: url, log }),
        );
  log.info({ url: server.url, processes: env.SERVER_PROCESSES }, 'listening');
  // Before the banner: whoever reads it may signal at once.
  stopOnSignals(server, database, logs);
  process.stdout.write(
    banner({
      url: server.url,
      processes: env.SERVER_PROCESSES,
      startedMs: performance.now() - started,
      database: describeDatabase(env, database),
      logFile: logs.file,
      demoTable,
      demoPassword: DEMO_PASSWORD,
    }),
  );
}

// Seeds an empty database; returns the demo logins table whenever the demo accounts exist.
async function seedDemoData(url: string, { log }: ServerLog): Promise<string | null> {
  const db = createDb(url);
  try {
    const seeded = await seed(db);
    if (seeded.created) log.info({ accounts: seeded.logins.length }, 'seeded demo accounts');
    const present = await db.user.count({ where: { email: { in: seeded.logins.map((l) => l.email) } } });
    return present > 0 ? demoLoginsTable(seeded.logins) : null;
  } finally {
    await db.$disconnect();
  }
}

function describeDatabase(env: Env, resolved: ResolvedDatabase): string {
  if (resolved.source === 'DATABASE_URL') return 'DATABASE_URL';
  return `embedded PostgreSQL, port ${env.EMBEDDED_PG_PORT}, data in ${env.PGDATA_DIR}`;
}

/**
 * A worker of `SERVER_PROCESSES > 1`: the primary has prepared the database and passed its URL;
 * this process only serves, and stops (draining) when the primary or the terminal says so.
 */
async function workerMain(): Promise<void> {
  const env = loadEnv();
  const logs = createServerLog(env);
  logs.quiet(); // the primary speaks for the cluster in the terminal
  output = logs;
  if (!env.DATABASE_URL) throw new Error('a server process started without the database URL');
  const server = await startServer({ env, databaseUrl: env.DATABASE_URL, log: logs.log });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    logs.flush();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  reportReady(server.url);
}

function stopOnSignals(
  server: Pick<RunningServer, 'close'>,
  db: ResolvedDatabase,
  { log, quiet, flush }: ServerLog,
): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Ctrl+C reaches the embedded PostgreSQL too (same process group), so the event hub warns
    // about lost connections while it drains; those lines belong in the file, not the terminal.
    quiet();
    log.info({ signal }, 'shutting down');
    await server.close();
    await db.stop();
    log.info('stopped');
    flush();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

(isClusterWorker() ? workerMain() : main()).catch(async (error: unknown) => {
  output?.quiet(); // the terminal gets the one line below; the file gets the whole error
  output?.log.fatal({ err: error }, 'start-up failed');
  output?.flush();
  const details = output?.file ? ` (details: ${output.file})` : '';
  process.stderr.write(`Cannot start: ${oneLine(error)}${details}\n`);
  // Stop the embedded PostgreSQL this process started; never wait on it forever.
  await Promise.race([database?.stop(), new Promise((resolve) => setTimeout(resolve, 10_000))]).catch(
    () => {},
  );
  process.exit(1);
});
