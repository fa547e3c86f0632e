import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AppServer, launchBrowser, newContext, screenshot, startAppServer } from '../src/index.ts';

let app: AppServer;
let browser: Browser;
beforeAll(async () => {
  [app, browser] = await Promise.all([startAppServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

it('serves both apps from one process', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(app.customerUrl);
  await expect.poll(() => page.locator('h1').first().textContent()).toBeTruthy();
  await screenshot(page, 'smoke-customer');
  await page.goto(app.mechanicUrl);
  await expect.poll(() => page.locator('h1').first().textContent()).toBeTruthy();
  await screenshot(page, 'smoke-mechanic');
  await context.close();
});
