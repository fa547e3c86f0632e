import type { Browser } from 'playwright-core';
import { expect, it } from 'vitest';
import { type AppServer, newContext, screenshot } from '../src/index.ts';
import { forThisFile } from '../src/suite.ts';

let app: AppServer;
let browser: Browser;
forThisFile((started) => {
  ({ app, browser } = started);
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
