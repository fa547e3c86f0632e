import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseIfMissing, dropDatabase, withClient, withDatabase } from '../src/admin.ts';
import { migrate } from '../src/migrate.ts';
import { diffMigrationsToSchema } from '../src/migration-create.ts';
import { readMigrations } from '../src/migrations-dir.ts';
import { migrationsDir } from '../src/paths.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

let test: TestDatabase;
/** Every migration in prisma/migrations, in the order they apply. */
const MIGRATIONS = (await readMigrations(migrationsDir)).migrationDirectories.map((m) => m.path);

beforeAll(async () => {
  test = await createTestDatabase(); // already migrated once
});
afterAll(() => test.drop());

describe('migrate', () => {
  it('applies the migrations to an empty database, then nothing', async () => {
    const name = `migrate_fresh_${process.pid}`;
    await createDatabaseIfMissing(test.url, name);
    try {
      const url = withDatabase(test.url, name);
      expect(await migrate(url)).toEqual({ applied: MIGRATIONS });
      expect(await migrate(url)).toEqual({ applied: [] });
    } finally {
      await dropDatabase(test.url, name);
    }
  });

  it('records applied migrations in _prisma_migrations and applies nothing twice', async () => {
    const rows = await withClient(test.url, async (client) => {
      const result = await client.query(
        'SELECT migration_name, finished_at, rolled_back_at, logs FROM _prisma_migrations',
      );
      return result.rows;
    });
    expect(rows).toEqual(
      MIGRATIONS.map((name) =>
        expect.objectContaining({ migration_name: name, rolled_back_at: null, logs: null }),
      ),
    );
    expect(rows[0].finished_at).toBeInstanceOf(Date);
    expect(await migrate(test.url)).toEqual({ applied: [] });
  });

  it('runs concurrent callers one after the other', async () => {
    const results = await Promise.all([migrate(test.url), migrate(test.url)]);
    expect(results).toEqual([{ applied: [] }, { applied: [] }]);
  });

  it('leaves schema.prisma and the migrations in agreement', async () => {
    // A non-null diff means schema.prisma changed without `pnpm db:migration:new`.
    expect(await diffMigrationsToSchema(test.url)).toBeNull();
  });
});
