import { createDb, DEMO_PASSWORD, demoLoginsTable, migrate, resolveDatabase, seed } from '@dispatch/db';
import pino from 'pino';
import { loadEnv } from './env.ts';
import { startServer } from './server.ts';

const env = loadEnv();
const log = pino({ level: env.LOG_LEVEL, base: { process: process.pid } });

async function main(): Promise<void> {
  const database = await resolveDatabase();
  log.info({ source: database.source }, 'database ready');
  const migrated = await migrate(database.url);
  log.info({ applied: migrated.applied }, 'migrations applied');
  if (env.SEED_DEMO_DATA) {
    const db = createDb(database.url);
    const seeded = await seed(db);
    await db.$disconnect();
    if (seeded.created) {
      log.info({ accounts: seeded.logins.length }, 'seeded demo accounts');
      process.stdout.write(
        `\nDemo accounts (password ${DEMO_PASSWORD}):\n\n${demoLoginsTable(seeded.logins)}\n\n`,
      );
    }
  }
  const server = await startServer({ env, databaseUrl: database.url, log });
  log.info(`Customer app:  ${server.url}/`);
  log.info(`Mechanic app:  ${server.url}/mechanic/`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await server.close();
    await database.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  log.fatal({ err: error }, error instanceof Error ? error.message : 'start-up failed');
  process.exit(1);
});
