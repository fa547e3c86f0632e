import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type AppServer, startAppServer } from './app-server.ts';
import { launchBrowser } from './browser.ts';

export interface FileSetUp<TApp> {
  /** How to start the server (default: `startAppServer()`: fresh seeded database, built apps). */
  start?: () => Promise<TApp>;
  /** Extra Chromium flags, e.g. the fake media devices. */
  browserArgs?: readonly string[];
}

/**
 * One server and one Chromium for a test file, started side by side before its first test and
 * closed after its last (after the file's own `afterAll`s, which run first). `use` receives them
 * once both are up: `forThisFile(({ app: a, browser: b }) => { app = a; browser = b; })`.
 */
export function forThisFile<TApp extends { close(): Promise<void> } = AppServer>(
  use: (started: { app: TApp; browser: Browser }) => void,
  setUp: FileSetUp<TApp> = {},
): void {
  let started: { app?: TApp; browser?: Browser } = {};
  afterAll(async () => {
    await started.browser?.close();
    await started.app?.close();
  });
  beforeAll(async () => {
    const start = setUp.start ?? (startAppServer as unknown as () => Promise<TApp>);
    const [app, browser] = await Promise.all([start(), launchBrowser(setUp.browserArgs)]);
    started = { app, browser };
    use({ app, browser });
  });
}
