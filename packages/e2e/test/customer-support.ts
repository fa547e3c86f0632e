import { readFileSync } from 'node:fs';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { seed } from '@dispatch/db';
import { createTestDatabase, type TestDatabase } from '@dispatch/db/testing';
import { loadEnv } from '@dispatch/server/env';
import { type RunningServer, startServer } from '@dispatch/server/server';
import pino from 'pino';
import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * The real server on a fresh seeded database, which a test can stop and start again on the same
 * port and database: an outage as the browser sees it (connections refused, then a new process).
 */
export interface RestartableServer {
  url: string;
  customerUrl: string;
  database: TestDatabase;
  stop(): Promise<void>;
  /** Starts it again on the same port and database, with these settings over the first ones. */
  start(env?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export async function startRestartableServer(env: Record<string, string> = {}): Promise<RestartableServer> {
  const database = await createTestDatabase();
  await seed(database.db);
  const launch = (port: number, more: Record<string, string> = {}) =>
    startServer({
      env: loadEnv({
        PORT: String(port),
        HOST: '127.0.0.1',
        SERVE_APPS: 'true',
        LOG_LEVEL: 'silent',
        ...env,
        ...more,
      }),
      databaseUrl: database.url,
      log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      dispatcherTickMs: 250,
    });
  let server: RunningServer | null = await launch(0);
  const port = server.port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    customerUrl: `${url}/`,
    database,
    stop: async () => {
      await server?.close();
      server = null;
    },
    start: async (more = {}) => {
      server ??= await launch(port, more);
    },
    close: async () => {
      await server?.close();
      server = null;
      await database.drop();
    },
  };
}

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'apps', 'customer', 'dist');

/**
 * Serves the customer app's files from its build while the server is down (as a CDN or the
 * browser's cache would), so a tab can be opened during an outage; the API stays unreachable.
 */
export async function serveAppShellFromBuild(context: BrowserContext | Page, origin: string): Promise<void> {
  await context.route(
    (url) => url.origin === origin && !url.pathname.startsWith('/trpc'),
    async (route) => {
      const { pathname } = new URL(route.request().url());
      const file = pathname === '/' || extname(pathname) === '' ? 'index.html' : normalize(pathname).slice(1);
      const types: Record<string, string> = {
        '.html': 'text/html',
        '.js': 'text/javascript',
        '.css': 'text/css',
        '.map': 'application/json',
      };
      try {
        await route.fulfill({
          body: readFileSync(join(DIST, file)),
          contentType: types[extname(file)] ?? 'application/octet-stream',
        });
      } catch {
        await route.fulfill({ status: 404, body: '' });
      }
    },
  );
}

/** axe-core, every rule and every impact: a customer screen must have no violation at all. */
export async function expectNoA11yViolations(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const violations = results.violations.map((v) => ({
    screen,
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3),
  }));
  expect(violations).toEqual([]);
}

/** The outage note the app shows while its server does not answer. */
export function outageNote(page: Page) {
  return page.locator('[data-outage]');
}
