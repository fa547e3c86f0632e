// `pnpm db:migrate`: applies pending migrations to DATABASE_URL or the embedded database.
import { resolveDatabase } from '../src/database.ts';
import { env } from '../src/env.ts';
import { migrate } from '../src/migrate.ts';

const database = await resolveDatabase(env);
try {
  const started = performance.now();
  const { applied } = await migrate(database.url);
  const took = `${Math.round(performance.now() - started)} ms`;
  const summary = applied.length ? `applied ${applied.join(', ')}` : 'already up to date';
  process.stdout.write(`Migrations (${database.source}): ${summary} (${took})\n`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await database.stop();
}
