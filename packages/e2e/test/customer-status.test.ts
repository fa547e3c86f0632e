import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  apiClientAs,
  book,
  eventually,
  newCustomer,
  sessionIdOf,
  signUp,
  statusHeading,
} from '../src/customer-flow.ts';
import {
  type AppServer,
  newContext,
  screenshot,
  seriousA11yViolations,
  startAppServer,
} from '../src/index.ts';
import { forThisFile } from '../src/suite.ts';

let app: AppServer;
let browser: Browser;
let mechanic: Awaited<ReturnType<typeof apiClientAs>>;
forThisFile((started) => {
  ({ app, browser } = started);
});
beforeAll(async () => {
  mechanic = await apiClientAs(app, 'a1@demo.test');
});

/** A fresh customer with a paid request waiting for a mechanic, on its live status page. */
async function waitingCustomer(label: string, mobile = false) {
  const context = await newContext(browser, { mobile });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  await page.goto(app.customerUrl);
  await signUp(page, newCustomer(label));
  await book(page, { plan: 'Paid' });
  const sessionId = await sessionIdOf(page);
  await eventually(() => statusHeading(page).textContent()).toMatch(/^Waiting for a mechanic/);
  await eventually(() => indicator(page)).toBe('live');
  // A marker that a reload would wipe: every change below must arrive without one.
  await page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });
  return { context, page, sessionId };
}

function indicator(page: Page) {
  return page.locator('output.connection').getAttribute('data-status');
}

function notReloaded(page: Page) {
  return page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true);
}

/** The mechanic accepts the request through the API, as the dashboard would. */
async function acceptAsMechanic(sessionId: string) {
  const queue = await mechanic.queue.list.query();
  const card = queue.items.find((item) => item.sessionId === sessionId);
  if (!card) throw new Error('the request is not in a1’s queue');
  const accepted = await mechanic.assignment.accept.mutate({ assignmentId: card.assignmentId });
  return accepted?.mechanic?.displayName ?? '';
}

describe('customer status page', () => {
  it('turns to "accepted by <mechanic>" when a mechanic accepts, without a reload', async () => {
    const { context, page, sessionId } = await waitingCustomer('accept', true);
    const name = await acceptAsMechanic(sessionId);
    expect(name).not.toBe('');
    await eventually(() => statusHeading(page).textContent()).toBe(`Accepted by ${name}`);
    expect(await notReloaded(page)).toBe(true);
    // Nothing left to cancel from the customer's side is hidden; what the domain allows is shown.
    await page.getByText(`${name} is on your request.`).waitFor();
    // Re-read after the event: the domain still lets the customer cancel an accepted session.
    await page.getByRole('button', { name: 'Cancel request' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'customer-accepted-mobile');
    await context.close();
  });

  it('cancels a waiting request, with a reason, and says so', async () => {
    const { context, page, sessionId } = await waitingCustomer('cancel');
    await page.getByRole('button', { name: 'Cancel request' }).click();
    await page.getByLabel('Reason').selectOption('It is taking too long');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'customer-cancel-confirm-desktop');
    await page.getByRole('button', { name: 'Yes, cancel my request' }).click();
    await eventually(() => statusHeading(page).textContent()).toBe('Session cancelled');
    await page.getByText('It is taking too long').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel request' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Book another session' }).waitFor();
    await screenshot(page, 'customer-cancelled-desktop');
    const row = await app.database.db.sessionAssignment.findUnique({
      where: { sessionId },
      select: { status: true, cancelReason: true },
    });
    expect(row).toEqual({ status: 'cancelled', cancelReason: 'It is taking too long' });
    await context.close();
  });

  it('"My requests" shows a request\'s unread messages and follows them while it is open', async () => {
    const { context, page, sessionId } = await waitingCustomer('unread', true);
    const name = await acceptAsMechanic(sessionId);
    await eventually(() => statusHeading(page).textContent()).toBe(`Accepted by ${name}`);
    await page.getByRole('link', { name: 'My requests' }).click();
    const row = page.locator(`li.request[data-session="${sessionId}"]`);
    await row.waitFor();
    expect(await row.locator('.request__unread').count()).toBe(0);
    const say = (body: string) =>
      mechanic.room.send.mutate({ sessionId, clientKey: crypto.randomUUID(), body });
    await say('I am looking at your request now.');
    await eventually(() => row.locator('.request__unread').textContent(), 15_000).toBe('1 new message');
    await say('Can you tell me the mileage?');
    await eventually(() => row.locator('.request__unread').textContent(), 15_000).toBe('2 new messages');
    expect(await row.getByRole('link').textContent()).toContain('2 new messages');
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    await screenshot(page, 'customer-requests-unread-mobile');
    // Reading them in the room clears the count.
    await row.getByRole('link').click();
    await page.locator('section.room .room__msg[data-position]').nth(1).waitFor();
    await page.getByRole('link', { name: 'My requests' }).click();
    await row.waitFor();
    await eventually(() => row.locator('.request__unread').count(), 15_000).toBe(0);
    await context.close();
  });

  it('cancelling an accepted session keeps the chat to read and says who had accepted, after a reload too', async () => {
    const { context, page } = await waitingCustomer('cancel-accepted', true);
    const name = await acceptAsMechanic(await sessionIdOf(page));
    await eventually(() => statusHeading(page).textContent()).toBe(`Accepted by ${name}`);
    const room = page.locator('section.room');
    await room.getByLabel('Message', { exact: true }).fill('Sorry, a neighbour fixed it.');
    await room.getByLabel('Message', { exact: true }).press('Enter');
    await room.locator('.room__msg[data-position]').waitFor();
    await page.getByRole('button', { name: 'Cancel request' }).click();
    // The dialog says what cancelling an accepted session does.
    await page.getByText(`${name} is told at once and the session ends`).waitFor();
    await page.getByRole('button', { name: 'Yes, cancel my request' }).click();
    await eventually(() => statusHeading(page).textContent()).toBe('Session cancelled');
    for (const when of ['live', 'after a reload']) {
      if (when === 'after a reload') await page.reload();
      await page.getByText(`${name} had accepted it`).waitFor();
      await room.getByText(/This session has ended/).waitFor();
      expect(await room.getByRole('heading').textContent(), when).toBe(`Chat with ${name}`);
      expect(await room.locator('.room__body').allTextContents(), when).toEqual([
        'Sorry, a neighbour fixed it.',
      ]);
      expect(await room.getByLabel('Message', { exact: true }).count(), when).toBe(0);
    }
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    await screenshot(page, 'customer-cancelled-after-accept-mobile');
    await context.close();
  });

  it('says "offline" while the network is cut, and shows the state reached meanwhile when it returns', async () => {
    const { context, page, sessionId } = await waitingCustomer('offline', true);
    await context.setOffline(true);
    await eventually(() => indicator(page)).toBe('offline');
    await page.getByText('Offline', { exact: true }).waitFor();
    const name = await acceptAsMechanic(sessionId);
    // Nothing reaches a cut-off page: what it shows next, it learns after the network returns.
    await page.waitForTimeout(1_000);
    expect(await statusHeading(page).textContent()).toMatch(/^Waiting for a mechanic/);
    expect(await indicator(page)).toBe('offline');
    await screenshot(page, 'customer-offline-mobile');

    await context.setOffline(false);
    await expect
      .poll(() => statusHeading(page).textContent(), { timeout: 15_000 })
      .toBe(`Accepted by ${name}`);
    await eventually(() => indicator(page), 15_000).toBe('live');
    expect(await notReloaded(page)).toBe(true);
    await page.getByRole('button', { name: 'Cancel request' }).waitFor();
    expect(await page.getByText('You are offline.').count()).toBe(0);
    await screenshot(page, 'customer-back-online-mobile');
    await context.close();
  });

  it('keeps the page true by polling while the socket cannot connect', async () => {
    const context = await newContext(browser);
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    // Every WebSocket passes through here: forwarded to the server until `cut`, refused after.
    // (Coming back is the offline test's job: a socket this mock closes before it opens fires no
    // 'error', and tRPC's client waits for one before it retries, which a real refusal does fire.)
    let cut = false;
    const open: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/trpc/, (ws) => {
      if (cut) return ws.close();
      ws.connectToServer();
      open.push(ws);
    });
    await page.goto(app.customerUrl);
    await signUp(page, newCustomer('polling'));
    await book(page, { plan: 'Paid' });
    const sessionId = await sessionIdOf(page);
    await eventually(() => indicator(page)).toBe('live');

    cut = true;
    for (const ws of open.splice(0)) await ws.close();
    await eventually(() => indicator(page)).toBe('reconnecting');
    const name = await acceptAsMechanic(sessionId);
    // No socket: the 5 s polling fallback brings the news.
    await eventually(() => statusHeading(page).textContent(), 15_000).toBe(`Accepted by ${name}`);
    expect(await indicator(page)).toBe('reconnecting');
    await screenshot(page, 'customer-polling-desktop');

    await context.close();
  });

  it('tells the customer, kindly, when no mechanic was available in time', async () => {
    const impatient = await startAppServer({ QUEUE_TIMEOUT_SECONDS: '3' });
    const context = await newContext(browser, { mobile: true });
    context.setDefaultTimeout(10_000);
    try {
      const page = await context.newPage();
      await page.goto(impatient.customerUrl);
      await signUp(page, newCustomer('timeout'));
      await book(page, { plan: 'Paid' });
      await sessionIdOf(page);
      await page.evaluate(() => {
        (window as unknown as { notReloaded: boolean }).notReloaded = true;
      });
      await eventually(() => statusHeading(page).textContent(), 20_000).toBe('Session cancelled');
      await page.getByText('No mechanic was available').waitFor();
      expect(await page.getByRole('button', { name: 'Cancel request' }).count()).toBe(0);
      expect(await notReloaded(page)).toBe(true);
      expect(await seriousA11yViolations(page)).toEqual([]);
      await screenshot(page, 'customer-no-mechanic-mobile');
    } finally {
      await context.close();
      await impatient.close();
    }
  });
});
