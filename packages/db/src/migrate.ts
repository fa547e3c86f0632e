// Applies prisma/migrations exactly as `prisma migrate deploy` does (same _prisma_migrations
// bookkeeping), through the wasm schema engine. Idempotent: applied migrations are skipped.
import { withClient } from './admin.ts';
import { readMigrations } from './migrations-dir.ts';
import { migrationsDir } from './paths.ts';
import { noFilters, openSchemaEngine, withPanic } from './schema-engine.ts';

// Serialises concurrent runners (several server processes starting at once) on one database.
const MIGRATE_LOCK_KEY = 727_073_690;

export interface MigrateResult {
  /** Names of the migrations applied by this call; empty when the database was up to date. */
  applied: string[];
}

export async function migrate(url: string, dir: string = migrationsDir): Promise<MigrateResult> {
  const migrationsList = await readMigrations(dir);
  return withClient(url, async (lock) => {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK_KEY]);
    const { engine, close } = await openSchemaEngine(url);
    try {
      const output = await engine.applyMigrations({ migrationsList, filters: noFilters });
      return { applied: output.appliedMigrationNames };
    } catch (error) {
      throw withPanic(error);
    } finally {
      await close();
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATE_LOCK_KEY]);
    }
  });
}
