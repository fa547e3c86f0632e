import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeAll, beforeEach, expect, it } from 'vitest';
import { type AppServer, newContext, screenshot, seriousA11yViolations } from '../src/index.ts';
import {
  type ApiUser,
  apiLogIn,
  book,
  completeAcceptedSessions,
  DEMO_PASSWORD,
  mySessionCard,
  notificationsIn,
  openDashboard,
  queueCard,
  queueIds,
  queueOf,
  recordNotifications,
  workshopIds,
} from '../src/mechanic-helpers.ts';
import { forThisFile } from '../src/suite.ts';

let app: AppServer;
let browser: Browser;
let customer: ApiUser;
let drainers: ApiUser[];
let dashboardMechanics: ApiUser[];
const contexts: BrowserContext[] = [];

forThisFile((started) => {
  ({ app, browser } = started);
});
beforeAll(async () => {
  customer = await apiLogIn(app.url, 'customer1@demo.test');
  drainers = await Promise.all(['a1@demo.test', 'b1@demo.test'].map((email) => apiLogIn(app.url, email)));
  dashboardMechanics = await Promise.all(
    ['a1@demo.test', 'a2@demo.test', 'b1@demo.test', 'virtual@demo.test'].map((email) =>
      apiLogIn(app.url, email),
    ),
  );
});

/**
 * Each test starts from an empty queue and free mechanics: whatever an earlier one left open is
 * taken, and whatever it left accepted is completed, through the API.
 */
beforeEach(async () => {
  for (const drainer of drainers) {
    for (const card of await queueOf(drainer)) {
      await drainer.mutate('assignment.accept', { assignmentId: card.assignmentId }).catch(() => undefined);
    }
  }
  for (const mechanic of [...drainers, ...dashboardMechanics]) await completeAcceptedSessions(mechanic);
  return async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  };
});

/**
 * Holds each page's accept request until every page has sent one, so the presses race at the
 * server. Without it, on a loaded machine one page's click could land, win and remove the card
 * from the other page before the runner got round to clicking there.
 */
async function holdAcceptsUntilEveryPageSent(pages: Page[]): Promise<void> {
  let sent = 0;
  let releaseAll = () => {};
  const everyPageSent = new Promise<void>((resolve) => {
    releaseAll = resolve;
  });
  await Promise.all(
    pages.map((page) =>
      page.route('**/trpc/assignment.accept*', async (route) => {
        sent += 1;
        if (sent === pages.length) releaseAll();
        await everyPageSent;
        await route.continue();
      }),
    ),
  );
}

async function dashboard(email: string, options: { mobile?: boolean } = {}) {
  const context = await newContext(browser, { notificationsFor: app.url, ...options });
  contexts.push(context);
  await recordNotifications(context);
  return openDashboard(context, app.mechanicUrl, email);
}

it('two mechanics race on one request: it reaches both live with alerts, exactly one wins, the other drops it', async () => {
  const [a1, a2] = await Promise.all([dashboard('a1@demo.test'), dashboard('a2@demo.test')]);
  await expect.poll(() => a1.title()).toBe('Mechanic dashboard');

  const started = Date.now();
  const session = await book(customer, { urgent: true, sessionType: 'diagnostic' });
  await Promise.all(
    [a1, a2].map((page) => queueCard(page, session.assignmentId).waitFor({ timeout: 1_000 })),
  );
  const shownAfterMs = Date.now() - started;
  expect(shownAfterMs).toBeLessThan(1_000);
  for (const page of [a1, a2]) {
    await expect.poll(() => page.title()).toBe('(1) Mechanic dashboard');
    await expect
      .poll(async () => (await notificationsIn(page)).map((n) => n.tag))
      .toContain(session.assignmentId);
  }
  const card = queueCard(a1, session.assignmentId);
  expect(await card.textContent()).toMatch(/Diagnostic.*2019 Honda Civic.*Urgent.*Grinding noise.*waiting/s);
  await screenshot(a1, 'mechanic-queue-new-request');

  // Both press Accept; neither request reaches the server before the other is sent.
  await holdAcceptsUntilEveryPageSent([a1, a2]);
  await Promise.all([
    queueCard(a1, session.assignmentId).getByRole('button', { name: 'Accept' }).click(),
    queueCard(a2, session.assignmentId).getByRole('button', { name: 'Accept' }).click(),
  ]);
  await Promise.all(
    [a1, a2].map((page) => expect.poll(() => queueCard(page, session.assignmentId).count()).toBe(0)),
  );
  const won = await Promise.all([a1, a2].map((page) => mySessionCard(page, session.assignmentId).count()));
  expect([...won].sort()).toEqual([0, 1]);
  const [winner, loser] = won[0] === 1 ? [a1, a2] : [a2, a1];
  await expect
    .poll(() =>
      loser
        .getByRole('status')
        .getByText(/Taken by another mechanic/)
        .count(),
    )
    .toBe(1);
  await expect.poll(() => loser.title()).toBe('Mechanic dashboard');
  const loserNotification = (await notificationsIn(loser)).find((n) => n.tag === session.assignmentId);
  expect(loserNotification?.closed).toBe(true);
  await screenshot(winner, 'mechanic-race-winner');
  await screenshot(loser, 'mechanic-race-loser');

  // The winner completes it from the keyboard, through the confirmation dialog: Space picks the
  // focused first outcome, Tab moves through the note and (a diagnostic session) the three
  // findings, then to the confirm button.
  await mySessionCard(winner, session.assignmentId).getByRole('button', { name: 'Complete…' }).focus();
  await winner.keyboard.press('Enter');
  await winner.getByRole('dialog', { name: 'Complete this session?' }).waitFor();
  await winner.keyboard.press('Space');
  for (const text of [
    'Talked it through over the phone.',
    'Wheel bearing noise test, brake pads and discs',
    'Front left wheel bearing',
    'Replace the bearing this week',
  ]) {
    await winner.keyboard.press('Tab');
    await winner.keyboard.type(text);
  }
  await winner.keyboard.press('Tab');
  await winner.keyboard.press('Enter');
  await expect
    .poll(() => mySessionCard(winner, session.assignmentId).getAttribute('data-status'))
    .toBe('completed');
});

it('a request leaves other dashboards at once when someone else takes it, closing its alert', async () => {
  const a1 = await dashboard('a1@demo.test');
  const session = await book(customer, { sessionType: 'chat' });
  await queueCard(a1, session.assignmentId).waitFor({ timeout: 1_000 });
  await expect.poll(() => a1.title()).toBe('(1) Mechanic dashboard');
  const taker = await apiLogIn(app.url, 'a2@demo.test');
  await taker.mutate('assignment.accept', { assignmentId: session.assignmentId });
  await expect.poll(() => queueCard(a1, session.assignmentId).count(), { timeout: 1_000 }).toBe(0);
  await expect.poll(() => a1.title()).toBe('Mechanic dashboard');
  // No toast for a request this mechanic never touched (issue 12): the card just goes.
  await expect
    .poll(() =>
      a1
        .getByRole('status')
        .getByText(/Taken by another mechanic/)
        .count(),
    )
    .toBe(0);
  const alert = (await notificationsIn(a1)).find((n) => n.tag === session.assignmentId);
  expect(alert?.closed).toBe(true);
});

it('shows each mechanic only what they may take: workshop A never sees workshop B, virtual never sees in person', async () => {
  const ids = await workshopIds(customer);
  const [a1, b1, virtual] = await Promise.all([
    dashboard('a1@demo.test'),
    dashboard('b1@demo.test'),
    dashboard('virtual@demo.test', { mobile: true }),
  ]);
  const atB = await book(customer, {
    sessionType: 'in_person',
    workshopId: ids.B,
    vehicleMake: 'Ford',
    vehicleModel: 'F-150',
  });
  const atA = await book(customer, {
    sessionType: 'in_person',
    workshopId: ids.A,
    vehicleMake: 'Toyota',
    vehicleModel: 'Corolla',
  });
  const anyWorkshop = await book(customer, {
    sessionType: 'in_person',
    vehicleMake: 'Mazda',
    vehicleModel: 'CX-5',
  });
  const video = await book(customer, { sessionType: 'video', plan: 'free', urgent: true });

  await expect
    .poll(() => queueIds(a1))
    .toEqual([video.assignmentId, atA.assignmentId, anyWorkshop.assignmentId]);
  await expect
    .poll(() => queueIds(b1))
    .toEqual([video.assignmentId, atB.assignmentId, anyWorkshop.assignmentId]);
  await expect.poll(() => queueIds(virtual)).toEqual([video.assignmentId]);
  // The server agrees: nothing the page does not show was sent to it.
  expect((await queueOf(await apiLogIn(app.url, 'a1@demo.test'))).map((c) => c.assignmentId)).not.toContain(
    atB.assignmentId,
  );
  expect(await seriousA11yViolations(a1)).toEqual([]);
  expect(await seriousA11yViolations(virtual)).toEqual([]);
  await screenshot(a1, 'mechanic-visibility-workshop-a');
  await screenshot(b1, 'mechanic-visibility-workshop-b');
  await screenshot(virtual, 'mechanic-visibility-virtual-mobile');
});

it('catches up after going offline: back online, the queue shows exactly the request still open, without reload', async () => {
  const context = await newContext(browser);
  contexts.push(context);
  const page = await openDashboard(context, app.mechanicUrl, 'virtual@demo.test');
  const first = await book(customer, {
    sessionType: 'video',
    vehicleMake: 'Subaru',
    vehicleModel: 'Outback',
  });
  const second = await book(customer, { sessionType: 'chat', vehicleMake: 'Kia', vehicleModel: 'Soul' });
  await expect.poll(() => queueIds(page)).toEqual([first.assignmentId, second.assignmentId]);
  let reloaded = false;
  page.on('framenavigated', () => {
    reloaded = true;
  });

  await context.setOffline(true);
  await expect.poll(() => page.locator('.connection').getAttribute('data-status')).toBe('offline');
  const taker = await apiLogIn(app.url, 'a1@demo.test');
  await taker.mutate('assignment.accept', { assignmentId: first.assignmentId });
  // Cut off, the page cannot know yet: it still shows both.
  await new Promise((resolve) => setTimeout(resolve, 700));
  expect(await queueIds(page)).toEqual([first.assignmentId, second.assignmentId]);
  await screenshot(page, 'mechanic-offline');

  await context.setOffline(false);
  await expect.poll(() => queueIds(page), { timeout: 10_000 }).toEqual([second.assignmentId]);
  await expect.poll(() => page.locator('.connection').getAttribute('data-status')).toBe('live');
  expect(reloaded).toBe(false);
  await screenshot(page, 'mechanic-back-online');
});

it('logs in and out, switches availability, shows a customer cancel reason, and is accessible', async () => {
  const context = await newContext(browser);
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(app.mechanicUrl);
  await page.getByLabel('Email').fill('b2@demo.test');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Email or password is wrong/);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await screenshot(page, 'mechanic-login-error');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('section[aria-label="Queue"]').waitFor();

  const presence = page.locator('[data-presence]');
  await page.getByRole('radio', { name: 'Available' }).check();
  await expect.poll(() => presence.getAttribute('data-presence')).toBe('available');
  await page.getByRole('radio', { name: 'Away' }).check();
  await expect.poll(() => presence.getAttribute('data-presence')).toBe('away');
  await page.getByRole('radio', { name: 'Available' }).check();
  await expect.poll(() => presence.getAttribute('data-presence')).toBe('available');

  // Sound is switched on by an explicit button.
  const sound = page.getByRole('button', { name: /sound/i });
  expect(await sound.getAttribute('aria-pressed')).toBe('false');
  await sound.click();
  await expect.poll(() => sound.getAttribute('aria-pressed')).toBe('true');

  // Accept, then the customer cancels: My sessions shows why.
  const session = await book(customer, {
    sessionType: 'diagnostic',
    vehicleMake: 'BMW',
    vehicleModel: '330i',
  });
  await queueCard(page, session.assignmentId).getByRole('button', { name: 'Accept' }).click();
  await mySessionCard(page, session.assignmentId).waitFor();
  await customer.mutate('session.cancel', {
    sessionId: session.sessionId,
    reason: 'Found the problem myself',
  });
  await expect
    .poll(() => mySessionCard(page, session.assignmentId).textContent())
    .toMatch(/Cancelled: Found the problem myself/);
  expect(
    await mySessionCard(page, session.assignmentId).getByRole('button', { name: 'Complete…' }).count(),
  ).toBe(0);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await screenshot(page, 'mechanic-cancelled-session');

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  expect(await page.locator('section[aria-label="Queue"]').count()).toBe(0);
});

it('polls while the socket is down, then goes live again and re-syncs without reload', async () => {
  const context = await newContext(browser);
  contexts.push(context);
  // New sockets can be pointed at a closed port: a real failed handshake (error, then close).
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    const flags = window as unknown as { __refuseSockets?: boolean };
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(flags.__refuseSockets ? 'ws://127.0.0.1:9/trpc' : url, protocols);
      }
    };
  });
  const page = await openDashboard(context, app.mechanicUrl, 'b1@demo.test');
  const status = () => page.locator('.connection').getAttribute('data-status');
  const refuseSockets = (refuse: boolean) =>
    page.evaluate((value) => {
      (window as unknown as { __refuseSockets?: boolean }).__refuseSockets = value;
    }, refuse);
  // The socket drops (as behind a crashing proxy) and reconnects fail, while HTTP still works.
  await refuseSockets(true);
  app.server.dropAllSockets();
  await expect.poll(status).toBe('reconnecting');
  const whileDown = await book(customer, {
    sessionType: 'chat',
    vehicleMake: 'Nissan',
    vehicleModel: 'Leaf',
  });
  // No socket: the 5 s polling fallback brings it in.
  await queueCard(page, whileDown.assignmentId).waitFor({ timeout: 7_000 });
  expect(await status()).toBe('reconnecting');
  await screenshot(page, 'mechanic-reconnecting-polling');

  await refuseSockets(false);
  await expect.poll(status, { timeout: 12_000 }).toBe('live');
  const afterwards = await book(customer, {
    sessionType: 'video',
    vehicleMake: 'Tesla',
    vehicleModel: 'Model 3',
  });
  await queueCard(page, afterwards.assignmentId).waitFor({ timeout: 1_000 });
});
