// Picks the database: DATABASE_URL when set, otherwise the embedded cluster in .data/postgres.
import { startEmbeddedPostgres } from './embedded.ts';
import { env } from './env.ts';

export interface ResolvedDatabase {
  url: string;
  /** `embedded` when this process started (or attached to) the embedded cluster. */
  source: 'DATABASE_URL' | 'embedded';
  /** Stops the embedded server if this process started it; otherwise does nothing. */
  stop(): Promise<void>;
}

export async function resolveDatabase(): Promise<ResolvedDatabase> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, source: 'DATABASE_URL', stop: async () => {} };
  const embedded = await startEmbeddedPostgres();
  return { url: embedded.connectionString, source: 'embedded', stop: embedded.stop };
}
