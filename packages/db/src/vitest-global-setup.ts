// Vitest globalSetup: one embedded PostgreSQL for the whole run, stopped at the end.
// Use it with `globalSetup: ['@dispatch/db/vitest-global-setup']`. Skipped when DATABASE_URL is set.
import type { TestProject } from 'vitest/node';
import { env } from './env.ts';
import { startTestServer } from './test-server.ts';
import './vitest-context.ts';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (env.DATABASE_URL) return undefined;
  const server = await startTestServer();
  project.provide('dispatchTestServerUrl', server.serverUrl);
  return server.stop;
}
