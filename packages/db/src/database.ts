// Picks the database: DATABASE_URL when set, otherwise the embedded cluster (default .data/postgres).
// The settings come from the caller's validated environment (the server's apps/server/src/env.ts,
// or this package's env.ts for the db scripts); nothing here reads process.env.
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded.ts';

export interface DatabaseSettings {
  /** Set: use this server and start nothing. */
  DATABASE_URL?: string | undefined;
  /** Embedded cluster's data folder and port, used when DATABASE_URL is unset. */
  PGDATA_DIR?: string | undefined;
  EMBEDDED_PG_PORT?: number | undefined;
}

export interface ResolvedDatabase {
  url: string;
  /** `embedded` when this process started (or attached to) the embedded cluster. */
  source: 'DATABASE_URL' | 'embedded';
  /** Stops the embedded server if this process started it; otherwise does nothing. */
  stop(): Promise<void>;
}

export async function resolveDatabase(settings: DatabaseSettings = {}): Promise<ResolvedDatabase> {
  const url = settings.DATABASE_URL;
  if (url) {
    await probe(url);
    return { url, source: 'DATABASE_URL', stop: async () => {} };
  }
  const embedded = await startEmbeddedPostgres({
    dataDir: settings.PGDATA_DIR,
    port: settings.EMBEDDED_PG_PORT,
  });
  return { url: embedded.connectionString, source: 'embedded', stop: embedded.stop };
}

// One query with a deadline, so an unreachable host fails in seconds with a message saying what to do.
async function probe(url: string): Promise<void> {
  const timeoutMs = 10_000;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  const started = Date.now();
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const reason =
      Date.now() - started >= timeoutMs
        ? `no answer within ${timeoutMs / 1000} s`
        : (error as Error).message || (error as { code?: string }).code || String(error);
    throw new Error(
      `cannot reach the database at DATABASE_URL (${redact(url)}): ${reason}. ` +
        'Fix: start that PostgreSQL or correct DATABASE_URL, or unset DATABASE_URL to use the embedded one',
      { cause: error },
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
