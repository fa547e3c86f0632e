// `pnpm db:seed`: migrates, inserts the demo people into an empty database, prints their logins.
import { createDb } from '../src/client.ts';
import { resolveDatabase } from '../src/database.ts';
import { env } from '../src/env.ts';
import { migrate } from '../src/migrate.ts';
import { demoLoginsTable, seed } from '../src/seed.ts';

const database = await resolveDatabase(env);
const db = createDb(database.url);
try {
  await migrate(database.url);
  const { created, logins } = await seed(db);
  const heading = created
    ? 'Seeded the demo data. Logins:'
    : 'Users already exist, so nothing was seeded. Demo logins (if this database was seeded here):';
  process.stdout.write(`${heading}\n\n${demoLoginsTable(logins)}\n`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
  await database.stop();
}
