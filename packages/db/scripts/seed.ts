// `pnpm db:seed`: migrates, inserts the demo people into an empty database, prints their logins.
import { createDb } from '../src/client.ts';
import { resolveDatabase } from '../src/database.ts';
import { migrate } from '../src/migrate.ts';
import { seed } from '../src/seed.ts';

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  return rows.map((row) => line(row).trimEnd()).join('\n');
}

const database = await resolveDatabase();
const db = createDb(database.url);
try {
  await migrate(database.url);
  const { created, logins } = await seed(db);
  const rows = logins.map((login) => [login.email, login.password, login.role, login.workshop ?? '-']);
  const heading = created
    ? 'Seeded the demo data. Logins:'
    : 'Users already exist, so nothing was seeded. Demo logins (if this database was seeded here):';
  process.stdout.write(`${heading}\n\n${table([['email', 'password', 'role', 'workshop'], ...rows])}\n`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
  await database.stop();
}
