import type { Browser } from 'playwright-core';
import { expect, it } from 'vitest';
import { type AppServer, newContext, screenshot } from '../src/index.ts';
import {
  DEMO_PASSWORD,
  mySessionCard,
  notificationsIn,
  openDashboard,
  queueCard,
  queueIds,
  recordNotifications,
} from '../src/mechanic-helpers.ts';
import { forThisFile } from '../src/suite.ts';

let app: AppServer;
let browser: Browser;
forThisFile((started) => {
  ({ app, browser } = started);
});

it('whole flow across both apps: a free booking with a signed waiver reaches an open dashboard within a second, and the accept reaches the customer', async () => {
  const mechanicContext = await newContext(browser, { notificationsFor: app.url });
  await recordNotifications(mechanicContext);
  const mechanic = await openDashboard(mechanicContext, app.mechanicUrl, 'a1@demo.test');
  expect(await queueIds(mechanic)).toEqual([]);
  expect(await mechanic.title()).toBe('Mechanic dashboard');

  // The customer, in their own browser context, logs in, fills the intake, picks Free and signs.
  const customerContext = await newContext(browser, { mobile: true });
  const customer = await customerContext.newPage();
  await customer.goto(app.customerUrl);
  await customer.getByLabel('Email', { exact: true }).fill('customer2@demo.test');
  await customer.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await customer.getByRole('button', { name: 'Log in' }).click();
  const yourName = customer.getByLabel('Your name');
  await yourName.waitFor();
  if (!(await yourName.inputValue())) await yourName.fill('Marcus Chen');
  await customer.getByLabel('Vehicle year').fill('2016');
  await customer.getByLabel('Make', { exact: true }).fill('Subaru');
  await customer.getByLabel('Model', { exact: true }).fill('Forester');
  await customer
    .getByLabel("What's going on?")
    .fill('Check engine light came on and the idle is rough when cold.');
  await customer
    .getByRole('radiogroup', { name: 'Session type' })
    .getByRole('radio', { name: 'Video call', exact: true })
    .check();
  await customer
    .getByRole('radiogroup', { name: 'Plan' })
    .getByRole('radio', { name: 'Free', exact: true })
    .check();
  await customer.getByRole('button', { name: 'Book session' }).click();
  await customer.getByLabel('Type your full name to sign').fill('Marcus Chen');
  await customer.getByRole('checkbox', { name: 'I have read and agree to this waiver' }).check();
  // Nothing is queued before the waiver is signed.
  expect(await queueIds(mechanic)).toEqual([]);

  const signedAt = Date.now();
  await customer.getByRole('button', { name: 'Sign and join the queue' }).click();
  await mechanic
    .locator('section[aria-label="Queue"] article[data-assignment-id]')
    .first()
    .waitFor({ timeout: 1_000 });
  const latencyMs = Date.now() - signedAt;
  expect(latencyMs).toBeLessThan(1_000);
  const [assignmentId] = await queueIds(mechanic);
  if (!assignmentId) throw new Error('no card');
  expect(await queueCard(mechanic, assignmentId).textContent()).toMatch(
    /Video call[\s\S]*2016 Subaru Forester/,
  );
  await expect.poll(() => mechanic.title()).toBe('(1) Mechanic dashboard');
  await expect.poll(async () => (await notificationsIn(mechanic)).map((n) => n.tag)).toContain(assignmentId);
  await expect
    .poll(() => customer.getByRole('heading', { level: 1 }).textContent())
    .toMatch(/^Waiting for a mechanic/);
  await screenshot(mechanic, 'cross-app-mechanic-sees-request');
  await screenshot(customer, 'cross-app-customer-waiting');

  await queueCard(mechanic, assignmentId).getByRole('button', { name: 'Accept' }).click();
  await mySessionCard(mechanic, assignmentId).waitFor();
  await expect
    .poll(() => customer.getByRole('heading', { level: 1 }).textContent(), { timeout: 3_000 })
    .toMatch(/^Accepted by Tom Becker/);
  await expect.poll(() => mechanic.title()).toBe('Mechanic dashboard');
  await screenshot(mechanic, 'cross-app-mechanic-accepted');
  await screenshot(customer, 'cross-app-customer-accepted');
  await Promise.all([mechanicContext.close(), customerContext.close()]);
});
