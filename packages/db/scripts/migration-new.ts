// `pnpm db:migration:new <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql from the
// difference between the existing migrations and prisma/schema.prisma. Needs a PostgreSQL server
// for the temporary shadow database: DATABASE_URL's, or the embedded one.
import path from 'node:path';
import { resolveDatabase } from '../src/database.ts';
import { env } from '../src/env.ts';
import { createMigration } from '../src/migration-create.ts';
import { repoRoot } from '../src/paths.ts';

const name = process.argv
  .slice(2)
  .filter((arg) => arg !== '--')
  .join(' ')
  .trim();
if (!name) {
  console.error('Usage: pnpm db:migration:new <name>');
  process.exit(1);
}

const database = await resolveDatabase(env);
try {
  const folder = await createMigration(database.url, name);
  process.stdout.write(
    folder
      ? `Created ${path.relative(repoRoot, folder)}/migration.sql; review it, then run pnpm db:migrate\n`
      : 'No changes: schema.prisma matches the migrations.\n',
  );
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await database.stop();
}
