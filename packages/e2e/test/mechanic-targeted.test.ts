import type { Browser, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import {
  type AppServer,
  newContext,
  screenshot,
  seriousA11yViolations,
  startAppServer,
} from '../src/index.ts';
import {
  apiLogIn,
  book,
  mySessionCard,
  openDashboard,
  queueCard,
  workshopIds,
} from '../src/mechanic-helpers.ts';
import { forThisFile } from '../src/suite.ts';

let app: AppServer;
let browser: Browser;
forThisFile(
  (started) => {
    ({ app, browser } = started);
  },
  { start: () => startAppServer({ DISPATCH_MODE: 'targeted', OFFER_TIMEOUT_SECONDS: '3' }) },
);

async function availableDashboard(email: string): Promise<Page> {
  const context = await newContext(browser, { notificationsFor: app.url });
  const page = await openDashboard(context, app.mechanicUrl, email);
  await page.getByRole('radio', { name: 'Available' }).check();
  await expect.poll(() => page.locator('[data-presence]').getAttribute('data-presence')).toBe('available');
  return page;
}

it('targeted mode: an offer counts down, expires, moves to the next available mechanic, who accepts; the admin trail shows why', async () => {
  const [a1, a2] = await Promise.all([
    availableDashboard('a1@demo.test'),
    availableDashboard('a2@demo.test'),
  ]);
  const customer = await apiLogIn(app.url, 'customer2@demo.test');
  const session = await book(customer, {
    sessionType: 'chat',
    vehicleMake: 'Volkswagen',
    vehicleModel: 'Golf',
  });

  // Exactly one of them gets the offer first, with Accept, Decline and a countdown.
  const offeredTo = async () => {
    const counts = await Promise.all([a1, a2].map((page) => queueCard(page, session.assignmentId).count()));
    return counts[0] === 1 && counts[1] === 0 ? 'a1' : counts[0] === 0 && counts[1] === 1 ? 'a2' : 'none';
  };
  await expect.poll(offeredTo, { timeout: 3_000 }).not.toBe('none');
  const firstName = await offeredTo();
  const [first, second] = firstName === 'a1' ? [a1, a2] : [a2, a1];
  const offer = queueCard(first, session.assignmentId);
  await expect(offer.getByRole('button', { name: 'Accept' }).isVisible()).resolves.toBe(true);
  await expect(offer.getByRole('button', { name: 'Decline' }).isVisible()).resolves.toBe(true);
  const countdown = offer.getByTestId('countdown');
  const shown = (await countdown.textContent())?.trim();
  expect(shown).toMatch(/0:0[1-3] left$/);
  await screenshot(first, 'mechanic-targeted-offer');
  await expect.poll(async () => (await countdown.textContent())?.trim(), { timeout: 2_500 }).not.toBe(shown);

  // Nobody answers: it expires on the first screen and is offered to the other mechanic.
  await expect.poll(() => queueCard(first, session.assignmentId).count(), { timeout: 6_000 }).toBe(0);
  await expect
    .poll(() => first.getByText(/Offer expired|Offered to another mechanic/).count())
    .toBeGreaterThan(0);
  await queueCard(second, session.assignmentId).waitFor({ timeout: 3_000 });
  await expect.poll(() => second.title()).toBe('(1) Mechanic dashboard');
  await screenshot(second, 'mechanic-targeted-moved');
  await queueCard(second, session.assignmentId).getByRole('button', { name: 'Accept' }).click();
  await mySessionCard(second, session.assignmentId).waitFor();
  expect(await queueCard(first, session.assignmentId).count()).toBe(0);

  // The admin sees every request and, for this one, who did what, when and why.
  const adminContext = await newContext(browser);
  const admin = await openDashboard(adminContext, app.mechanicUrl, 'admin@demo.test');
  const row = admin.locator(
    `section[aria-labelledby="requests-heading"] tr[data-assignment-id="${session.assignmentId}"]`,
  );
  await admin.getByLabel('Status').selectOption('all');
  await row.getByRole('button', { name: /Details/ }).click();
  const panel = admin.getByTestId('request-panel');
  const rows = panel.locator('ol.trail li');
  await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(6);
  const steps = await rows.evaluateAll((items) =>
    items.map((li) => li.querySelector('.trail__what')?.textContent ?? ''),
  );
  // a1 is Tom Becker, a2 Lucia Alvarez: the trail names who each offer went to and who accepted.
  const [firstMechanic, secondMechanic] =
    firstName === 'a1' ? ['Tom Becker', 'Lucia Alvarez'] : ['Lucia Alvarez', 'Tom Becker'];
  expect(steps.map((text) => text.split(':')[0])).toEqual([
    'Created',
    `Offered to ${firstMechanic}`,
    'Offer expired',
    'Back in the queue',
    `Offered to ${secondMechanic}`,
    'Accepted',
  ]);
  // In words: "Queued → Offered", never the stored codes.
  expect(steps[1]).toContain('Queued → Offered');
  expect(steps.at(-1)).toContain(`by ${secondMechanic} (mechanic)`);
  expect(steps[2]).toContain('by Offer timer');
  expect(steps[0]).toContain('by Marcus Chen (customer)');
  expect(await seriousA11yViolations(admin)).toEqual([]);
  await screenshot(admin, 'mechanic-admin-trail');
  await Promise.all([a1, a2, admin].map((page) => page.context().close()));
});

it('targeted mode: a declined offer goes to the next mechanic and never comes back to the one who declined', async () => {
  const [b1, b2] = await Promise.all([
    availableDashboard('b1@demo.test'),
    availableDashboard('b2@demo.test'),
  ]);
  const customer = await apiLogIn(app.url, 'customer1@demo.test');
  // Only workshop B's two mechanics may take this one.
  const { B } = await workshopIds(customer);
  const session = await book(customer, { sessionType: 'in_person', workshopId: B, urgent: true });
  const holder = async () => {
    const counts = await Promise.all([b1, b2].map((page) => queueCard(page, session.assignmentId).count()));
    return counts[0] ? 'b1' : counts[1] ? 'b2' : 'none';
  };
  await expect.poll(holder, { timeout: 3_000 }).not.toBe('none');
  const [first, second] = (await holder()) === 'b1' ? [b1, b2] : [b2, b1];
  await queueCard(first, session.assignmentId).getByRole('button', { name: 'Decline' }).click();
  await expect.poll(() => queueCard(first, session.assignmentId).count()).toBe(0);
  await queueCard(second, session.assignmentId).waitFor({ timeout: 3_000 });
  await screenshot(second, 'mechanic-targeted-after-decline');
  await queueCard(second, session.assignmentId).getByRole('button', { name: 'Decline' }).click();
  // Both declined: it waits in the queue for someone else and is never offered to them again.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  for (const page of [b1, b2]) expect(await queueCard(page, session.assignmentId).count()).toBe(0);
  await Promise.all([b1, b2].map((page) => page.context().close()));
});
