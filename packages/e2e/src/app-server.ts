import { seed } from '@dispatch/db';
import { createTestDatabase, type TestDatabase } from '@dispatch/db/testing';
import { loadEnv } from '@dispatch/server/env';
import { type RunningServer, startServer } from '@dispatch/server/server';
import pino from 'pino';

export interface AppServer {
  server: RunningServer;
  database: TestDatabase;
  url: string;
  /** The customer app's and the mechanic dashboard's base URLs. */
  customerUrl: string;
  mechanicUrl: string;
  close(): Promise<void>;
}

/**
 * The real server process code, in-process, on a fresh seeded database, serving the built SPAs
 * (turbo builds them before this package's tests). `env` overrides settings such as DISPATCH_MODE.
 */
export async function startAppServer(env: Record<string, string> = {}): Promise<AppServer> {
  const database = await createTestDatabase();
  await seed(database.db);
  // Tests accept many requests with the same few mechanics; capacity has tests of its own.
  await database.db.mechanic.updateMany({ data: { virtualCapacity: 1000 } });
  const server = await startServer({
    env: loadEnv({ PORT: '0', HOST: '127.0.0.1', SERVE_APPS: 'true', LOG_LEVEL: 'silent', ...env }),
    databaseUrl: database.url,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    dispatcherTickMs: 250,
  });
  const url = `http://127.0.0.1:${server.port}`;
  return {
    server,
    database,
    url,
    customerUrl: `${url}/`,
    mechanicUrl: `${url}/mechanic/`,
    close: async () => {
      await server.close();
      await database.drop();
    },
  };
}
