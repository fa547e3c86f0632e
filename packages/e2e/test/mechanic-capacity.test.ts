import { CAPACITY_MESSAGES } from '@dispatch/domain';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AppServer, newContext, screenshot, seriousA11yViolations } from '../src/index.ts';
import { type ApiUser, apiLogIn, book, openDashboard, queueCard } from '../src/mechanic-helpers.ts';
import { forThisFile } from '../src/suite.ts';

let app: AppServer;
let browser: Browser;
let customer: ApiUser;
const contexts: BrowserContext[] = [];

forThisFile((started) => {
  ({ app, browser } = started);
});
beforeAll(async () => {
  // The default rule: one live virtual session at a time.
  const virtual = await app.database.db.user.findUniqueOrThrow({ where: { email: 'virtual@demo.test' } });
  await app.database.db.mechanic.update({ where: { userId: virtual.id }, data: { virtualCapacity: 1 } });
  customer = await apiLogIn(app.url, 'customer1@demo.test');
});
afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()));
});

it('a mechanic at capacity sees the next request greyed with the reason and no Accept, until the session ends', async () => {
  const context = await newContext(browser);
  contexts.push(context);
  const page = await openDashboard(context, app.mechanicUrl, 'virtual@demo.test');
  const mechanic = await apiLogIn(app.url, 'virtual@demo.test');
  const first = await book(customer, { sessionType: 'video', vehicleMake: 'Volvo', vehicleModel: 'V60' });
  // Its toast is announced, and goes once the request is taken: it no longer covers the session.
  const firstToast = page.locator('.notice', { hasText: 'New request — Video call: 2019 Volvo V60' });
  await expect.poll(() => firstToast.count(), { timeout: 10_000 }).toBe(1);
  await mechanic.mutate('assignment.accept', { assignmentId: first.assignmentId });
  await expect.poll(() => firstToast.count(), { timeout: 10_000 }).toBe(0);

  const second = await book(customer, { sessionType: 'chat', vehicleMake: 'Fiat', vehicleModel: 'Panda' });
  const card = queueCard(page, second.assignmentId);
  await expect.poll(() => card.getAttribute('data-blocked'), { timeout: 10_000 }).toBe('true');
  expect(await card.getByRole('button', { name: /Accept/ }).count()).toBe(0);
  expect((await card.textContent()) ?? '').toMatch(/capacity|live session|finish/i);
  // Greyed, but still readable: a card it cannot take yet keeps text contrast.
  expect(await seriousA11yViolations(page)).toEqual([]);
  await screenshot(page, 'mechanic-at-capacity');

  // The server agrees: an accept anyway is refused inside the accept statement.
  const refused = await mechanic
    .mutate('assignment.accept', { assignmentId: second.assignmentId })
    .catch((error: unknown) => String(error));
  // ...with the very words the card showed: one rule, one message.
  const shownReason = CAPACITY_MESSAGES.at_capacity;
  expect((await card.textContent()) ?? '').toContain(shownReason);
  expect(String(refused)).toContain(shownReason);

  // Finishing the live session frees the mechanic: the card can be taken again.
  await mechanic.mutate('assignment.complete', {
    assignmentId: first.assignmentId,
    outcome: 'resolved',
    note: 'Sorted out together.',
  });
  await expect.poll(() => card.getAttribute('data-blocked'), { timeout: 20_000 }).toBeNull();
  await expect.poll(() => card.getByRole('button', { name: /Accept/ }).count()).toBe(1);
});
