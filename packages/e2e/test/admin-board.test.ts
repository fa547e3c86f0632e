import type { Browser, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import {
  type AppServer,
  newContext,
  screenshot,
  seriousA11yViolations,
  startAppServer,
} from '../src/index.ts';
import { apiLogIn, book, openDashboard, workshopIds } from '../src/mechanic-helpers.ts';
import { forThisFile } from '../src/suite.ts';

let app: AppServer;
let browser: Browser;
forThisFile(
  (started) => {
    ({ app, browser } = started);
  },
  { start: () => startAppServer({ PROCESS_NAME: 'web-1' }) },
);

const requestRow = (page: Page, assignmentId: string) =>
  page.locator(`section[aria-labelledby="requests-heading"] tr[data-assignment-id="${assignmentId}"]`);
const visibleRows = (page: Page) =>
  page
    .locator('section[aria-labelledby="requests-heading"] tbody tr')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-assignment-id')));

it('the operations board: mechanics live, requests filtered and searched, a side panel that opens in view with focus, says who could see it and why, and acts', async () => {
  const customer = await apiLogIn(app.url, 'customer1@demo.test');
  const { B } = await workshopIds(customer);
  // A Harbor-only visit, an urgent video call, a chat.
  const harbor = await book(customer, {
    sessionType: 'in_person',
    workshopId: B,
    vehicleMake: 'Subaru',
    vehicleModel: 'Outback',
  });
  const video = await book(customer, {
    sessionType: 'video',
    urgent: true,
    vehicleMake: 'Toyota',
    vehicleModel: 'Corolla',
  });
  const chat = await book(customer, { sessionType: 'chat', vehicleMake: 'Ford', vehicleModel: 'Focus' });

  // b1 (Harbor) has the dashboard open and Available: the card is delivered and shown there.
  const b1 = await openDashboard(await newContext(browser), app.mechanicUrl, 'b1@demo.test');
  await b1.locator(`article[data-assignment-id="${harbor.assignmentId}"]`).waitFor();
  // a1 went Away.
  const a1 = await apiLogIn(app.url, 'a1@demo.test');
  await a1.mutate('mechanic.setAvailability', { availability: 'away' });

  const context = await newContext(browser);
  const admin = await openDashboard(context, app.mechanicUrl, 'admin@demo.test');
  await admin.setViewportSize({ width: 1280, height: 720 });
  await expect(admin.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Operations board');

  // Mechanics with presence, load against capacity and connections (b1 has one open dashboard).
  const mechanics = admin.locator('section[aria-labelledby="mechanics-heading"]');
  const b1Row = mechanics.locator('tr', { hasText: 'Sam Okafor' });
  await expect.poll(() => b1Row.textContent(), { timeout: 8_000 }).toMatch(/Available.*0 \/ 1000 virtual1/);
  await expect.poll(() => mechanics.locator('tr', { hasText: 'Tom Becker' }).textContent()).toContain('Away');

  // Filters and search.
  await expect
    .poll(() => visibleRows(admin))
    .toEqual(expect.arrayContaining([harbor.assignmentId, video.assignmentId, chat.assignmentId]));
  await admin.getByLabel('Type').selectOption('in_person');
  await expect.poll(() => visibleRows(admin)).toEqual([harbor.assignmentId]);
  await admin.getByLabel('Type').selectOption('');
  await admin.getByLabel('Urgency').selectOption('urgent');
  await expect.poll(() => visibleRows(admin)).toEqual([video.assignmentId]);
  await admin.getByLabel('Urgency').selectOption('');
  await admin.getByLabel('Workshop').selectOption(B);
  await expect.poll(() => visibleRows(admin)).toEqual([harbor.assignmentId]);
  await admin.getByLabel('Workshop').selectOption('');
  await admin.getByLabel('Search').fill('ford focus');
  await expect.poll(() => visibleRows(admin)).toEqual([chat.assignmentId]);
  await admin.getByLabel('Search').fill(harbor.sessionId.slice(0, 8));
  await expect.poll(() => visibleRows(admin)).toEqual([harbor.assignmentId]);
  await admin.getByLabel('Waiting').selectOption('15');
  await expect.poll(() => visibleRows(admin)).toEqual([]);
  await expect(admin.getByText('No request matches these filters.').isVisible()).resolves.toBe(true);
  await admin.getByRole('button', { name: 'Clear filters' }).click();
  await expect.poll(async () => (await visibleRows(admin)).length).toBeGreaterThanOrEqual(3);
  await screenshot(admin, 'admin-board-1280');

  // The side panel opens in view and takes focus.
  const details = requestRow(admin, harbor.assignmentId).getByRole('button', { name: /Details/ });
  await details.click();
  const panel = admin.getByTestId('request-panel');
  await panel.waitFor();
  const box = await panel.boundingBox();
  expect(box && box.y >= 0 && box.y < 50 && box.x + box.width <= 1280).toBe(true);
  await expect
    .poll(() =>
      admin.evaluate(() => document.activeElement?.closest('[data-testid="request-panel"]') !== null),
    )
    .toBe(true);
  // Who could see it, and why: from the domain rule, with the receipts of b1's dashboard.
  const sight = panel.locator('.sight-list');
  await expect
    .poll(() => sight.locator('li', { hasText: 'Tom Becker' }).textContent())
    .toContain('Cannot see it: wrong workshop (this is for Harbor');
  // Only mechanics are listed (not the admin).
  expect(await sight.locator('li', { hasText: 'Alex Morgan' }).count()).toBe(0);
  await expect
    .poll(() => sight.locator('li', { hasText: 'Priya Natarajan' }).textContent())
    .toContain('virtual-only');
  await expect
    .poll(() => sight.locator('li', { hasText: 'Sam Okafor' }).textContent(), { timeout: 12_000 })
    .toMatch(/Can see it; delivered \d\d:\d\d:\d\d\.\d{3} on web-1 and shown \d\d:\d\d:\d\d\.\d{3}/);
  // The trail with names on every actor row and full dates.
  const firstEvent = panel.locator('ol.trail li').first();
  await expect
    .poll(() => firstEvent.textContent())
    .toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Created: Queued, by Dana Reyes \(customer\)/);
  // Codes stay out of the rows; the request ids sit under one disclosure at the end.
  expect(await panel.locator('ol.trail').textContent()).not.toMatch(/pending_waiver|request [0-9a-f-]{8}/);
  expect(await panel.locator('details.trail__ids summary').textContent()).toBe(
    'Request ids for the server log',
  );
  expect(await seriousA11yViolations(admin)).toEqual([]);
  await screenshot(admin, 'admin-board-panel-1280');

  // "Offer it to one mechanic" lists only who could take this Harbor visit, with their presence.
  const mechanicSelect = panel.getByLabel('Mechanic', { exact: true });
  await expect
    .poll(() => mechanicSelect.locator('option').allTextContents())
    .toEqual([
      'Choose a mechanic…',
      expect.stringMatching(/^Sam Okafor — available, 0 of 1000 virtual$/),
      expect.stringMatching(/^Hannah Kim — (offline|away), 0 of 1000 virtual$/),
    ]);
  expect(await mechanicSelect.locator('option', { hasText: 'Hannah Kim' }).isDisabled()).toBe(true);
  // Apply with nothing chosen: the form says so beside the field, and focus goes there.
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect
    .poll(() => panel.locator('.action-form [role="alert"]').first().textContent())
    .toBe('Choose a mechanic to offer it to.');
  expect(await mechanicSelect.getAttribute('aria-invalid')).toBe('true');
  expect(await mechanicSelect.evaluate((el) => el === document.activeElement)).toBe(true);
  await mechanicSelect.selectOption({ label: 'Sam Okafor — available, 0 of 1000 virtual' });
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect
    .poll(() => panel.locator('.action-form [role="alert"]').first().textContent())
    .toBe('Say why: the reason is recorded on the trail.');
  await screenshot(admin, 'admin-board-panel-errors-1280');

  // Escape closes it and focus goes back to the button that opened it.
  await admin.keyboard.press('Escape');
  await expect.poll(() => panel.count()).toBe(0);
  await expect.poll(() => details.evaluate((button) => button === document.activeElement)).toBe(true);

  // An admin action from the same place: cancel the chat with a reason.
  await requestRow(admin, chat.assignmentId)
    .getByRole('button', { name: /Details/ })
    .click();
  await panel.getByLabel('Action', { exact: true }).selectOption('cancel');
  await panel.getByLabel('Reason (recorded on the trail)').fill('Customer asked by phone');
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(() => panel.locator('.facts').textContent()).toContain('Cancelled');
  await expect
    .poll(() => panel.locator('ol.trail li').last().textContent())
    .toContain('by Alex Morgan (admin)');
  await panel.getByRole('button', { name: /Close/ }).click();
  // Closed requests leave the default (open) view; the status filter brings them back.
  await expect.poll(() => requestRow(admin, chat.assignmentId).count()).toBe(0);
  await admin.getByLabel('Status').selectOption('finished');
  await expect.poll(() => visibleRows(admin)).toEqual([chat.assignmentId]);
  expect(await seriousA11yViolations(admin)).toEqual([]);
  await Promise.all([context.close(), b1.context().close()]);
});

it('the board and its side panel on a 375 px phone', async () => {
  const customer = await apiLogIn(app.url, 'customer2@demo.test');
  const session = await book(customer, {
    sessionType: 'diagnostic',
    vehicleMake: 'Mazda',
    vehicleModel: 'CX-5',
  });
  const context = await newContext(browser, { mobile: true });
  const admin = await openDashboard(context, app.mechanicUrl, 'admin@demo.test');
  await requestRow(admin, session.assignmentId).waitFor();
  await screenshot(admin, 'admin-board-375');
  const width = await admin.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(375);
  await requestRow(admin, session.assignmentId)
    .getByRole('button', { name: /Details/ })
    .click();
  const panel = admin.getByTestId('request-panel');
  await panel.locator('.sight-list li').first().waitFor();
  const box = await panel.boundingBox();
  expect(box && box.x >= 0 && box.width <= 375).toBe(true);
  expect(await seriousA11yViolations(admin)).toEqual([]);
  // What the phone shows: the panel over the whole screen (a full-page capture would not say so).
  await admin.screenshot({
    path: (await screenshot(admin, 'admin-board-panel-375-full')).replace('-full', ''),
  });
  await admin.keyboard.press('Escape');
  await expect.poll(() => panel.count()).toBe(0);
  await context.close();
});
