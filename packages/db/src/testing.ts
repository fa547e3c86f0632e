// Fresh, migrated databases for tests (`@dispatch/db/testing`). The server is, in order: the one
// the vitest global setup started (`@dispatch/db/vitest-global-setup`), DATABASE_URL's server,
// or a throwaway embedded server started once per test process.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDatabaseIfMissing, dropDatabase, withDatabase } from './admin.ts';
import { createDb, type Db } from './client.ts';
import { env } from './env.ts';
import { migrate } from './migrate.ts';
import { startTestServer } from './test-server.ts';
import './vitest-context.ts';

export interface TestDatabase {
  /** URL of the new database, for code that opens its own connections (LISTEN, pg). */
  url: string;
  db: Db;
  /** Disconnects `db` and drops the database; safe to call twice. */
  drop(): Promise<void>;
}

let processServer: Promise<string> | undefined;

function serverUrl(): Promise<string> {
  const provided = inject('dispatchTestServerUrl');
  if (provided) return Promise.resolve(provided);
  if (env.DATABASE_URL) return Promise.resolve(env.DATABASE_URL);
  processServer ??= startTestServer().then((server) => server.serverUrl);
  return processServer;
}

let counter = 0;

export async function createTestDatabase(): Promise<TestDatabase> {
  const server = await serverUrl();
  counter += 1;
  const name = `dispatch_test_${process.pid}_${counter}_${randomBytes(3).toString('hex')}`;
  await createDatabaseIfMissing(server, name);
  const url = withDatabase(server, name);
  try {
    await migrate(url);
  } catch (error) {
    await dropDatabase(server, name);
    throw error;
  }
  const db = createDb(url, { poolSize: 5 });
  let dropped: Promise<void> | undefined;
  const drop = () =>
    (dropped ??= (async () => {
      await db.$disconnect();
      await dropDatabase(server, name);
    })());
  return { url, db, drop };
}
export { type RoundTripCounter, roundTripCounter } from './round-trips.ts';
export { freePort } from './test-server.ts';
