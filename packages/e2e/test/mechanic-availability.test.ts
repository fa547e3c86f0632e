import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeAll, beforeEach, expect, it } from 'vitest';
import { type AppServer, newContext, screenshot } from '../src/index.ts';
import {
  type ApiUser,
  apiLogIn,
  book,
  notificationsIn,
  openDashboard,
  queueCard,
  queueOf,
  recordNotifications,
} from '../src/mechanic-helpers.ts';
import { forThisFile } from '../src/suite.ts';

let app: AppServer;
let browser: Browser;
let customer: ApiUser;
let drainer: ApiUser;
const contexts: BrowserContext[] = [];

forThisFile((started) => {
  ({ app, browser } = started);
});
beforeAll(async () => {
  // These tests let a few mechanics take many requests; capacity has its own tests.
  await app.database.db.mechanic.updateMany({ data: { virtualCapacity: 1000 } });
  customer = await apiLogIn(app.url, 'customer1@demo.test');
  drainer = await apiLogIn(app.url, 'a2@demo.test');
  await drainer.mutate('mechanic.setAvailability', { availability: 'available' });
});
beforeEach(async () => {
  for (const card of await queueOf(drainer))
    await drainer.mutate('assignment.accept', { assignmentId: card.assignmentId }).catch(() => undefined);
  return async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  };
});

async function dashboard(email: string, available: boolean, on: Browser = browser): Promise<Page> {
  const context = await newContext(on, { notificationsFor: app.url });
  contexts.push(context);
  await recordNotifications(context);
  return openDashboard(context, app.mechanicUrl, email, { available });
}

const state = (page: Page) => page.locator('.connection').getAttribute('data-state');
const toasts = (page: Page) => page.getByRole('status', { name: 'Notices' }).locator('.notice').count();

it('an Away mechanic gets no alert of any kind and no Accept: the card is greyed with the reason and "Go available"', async () => {
  // a1 never chose (a new account starts "offline"): that reads as Away, one status, never
  // "Live" beside "Seen as offline".
  const a1 = await app.database.db.user.findUniqueOrThrow({ where: { email: 'a1@demo.test' } });
  await app.database.db.mechanic.update({ where: { userId: a1.id }, data: { availability: 'offline' } });
  const page = await dashboard('a1@demo.test', false);
  await expect.poll(() => state(page)).toBe('away');
  expect(await page.getByRole('radio', { name: 'Away' }).isChecked()).toBe(true);
  expect(await page.locator('.connection').textContent()).toBe('Away');

  const session = await book(customer, { sessionType: 'chat', vehicleMake: 'Kia', vehicleModel: 'Soul' });
  const card = queueCard(page, session.assignmentId);
  await card.waitFor();
  await page.waitForTimeout(500);
  expect(await page.title()).toBe('Mechanic dashboard');
  expect(await notificationsIn(page)).toEqual([]);
  expect(await toasts(page)).toBe(0);
  expect(await page.locator('link[rel="icon"]').getAttribute('data-unread')).toBe('0');
  expect(await card.getAttribute('data-blocked')).toBe('true');
  expect(await card.getAttribute('data-new')).toBeNull();
  expect(await card.getByRole('button', { name: 'Accept' }).count()).toBe(0);
  expect(await card.textContent()).toMatch(/You are away/);
  await screenshot(page, 'mechanic-away-greyed');

  // One click makes the mechanic available; now the card can be taken, and the next one alerts.
  await card.getByRole('button', { name: 'Go available' }).click();
  await expect.poll(() => state(page)).toBe('available');
  await card.getByRole('button', { name: 'Accept' }).waitFor();
  const next = await book(customer, { sessionType: 'video', vehicleMake: 'Fiat', vehicleModel: 'Panda' });
  await expect.poll(() => page.title()).toBe('(1) Mechanic dashboard');
  await expect.poll(async () => (await notificationsIn(page)).map((n) => n.tag)).toEqual([next.assignmentId]);
  await expect.poll(() => queueCard(page, next.assignmentId).getAttribute('data-new')).toBe('true');
  expect(await page.locator('link[rel="icon"]').getAttribute('data-unread')).toBe('1');
  expect(await page.locator('link[rel="icon"]').getAttribute('href')).toMatch(/^data:image\/png/);
  await screenshot(page, 'mechanic-new-card-marked');
  // Seen once it was on screen in a focused tab: the mark, the count and the badge go.
  await expect
    .poll(() => queueCard(page, next.assignmentId).getAttribute('data-new'), { timeout: 5_000 })
    .toBeNull();
  await expect.poll(() => page.title()).toBe('Mechanic dashboard');
  expect(await page.locator('link[rel="icon"]').getAttribute('data-unread')).toBe('0');

  // Going Away again: the next request neither alerts nor can be accepted.
  await page.getByRole('radio', { name: 'Away' }).check();
  await expect.poll(() => state(page)).toBe('away');
  const third = await book(customer, {
    sessionType: 'diagnostic',
    vehicleMake: 'Opel',
    vehicleModel: 'Astra',
  });
  await queueCard(page, third.assignmentId).waitFor();
  await page.waitForTimeout(500);
  expect(await page.title()).toBe('Mechanic dashboard');
  expect((await notificationsIn(page)).map((n) => n.tag)).not.toContain(third.assignmentId);
  expect(await queueCard(page, third.assignmentId).getByRole('button', { name: 'Accept' }).count()).toBe(0);
});

it('a request taken elsewhere keeps its place for a beat, and this mechanic, who never touched it, gets no toast', async () => {
  const page = await dashboard('a1@demo.test', true);
  const quiet = await book(customer, { sessionType: 'chat', vehicleMake: 'Seat', vehicleModel: 'Ibiza' });
  await queueCard(page, quiet.assignmentId).waitFor();
  const announced = page.locator('.notice', { hasText: 'New request — Chat: 2019 Seat Ibiza' });
  await expect.poll(() => announced.count()).toBe(1);
  const before = await toasts(page);
  await drainer.mutate('assignment.accept', { assignmentId: quiet.assignmentId });
  await expect.poll(() => queueCard(page, quiet.assignmentId).count()).toBe(0);
  // It keeps its place for a beat, greyed and without buttons, so nothing slides under the pointer.
  const ghost = page.locator(`[data-ghost-id="${quiet.assignmentId}"]`);
  expect(await ghost.textContent()).toMatch(/Taken by another mechanic/);
  expect(await ghost.getByRole('button').count()).toBe(0);
  await screenshot(page, 'mechanic-taken-ghost');
  await expect.poll(() => ghost.count(), { timeout: 5_000 }).toBe(0);
  expect(await page.getByText(/Taken by another mechanic/).count()).toBe(0);
  // The only toast that changed is the request's own announcement, gone with the request.
  expect(await announced.count()).toBe(0);
  expect(await toasts(page)).toBe(before - 1);
});

it('restores the last availability after logging out and in again', async () => {
  const page = await dashboard('b1@demo.test', true);
  await expect.poll(() => state(page)).toBe('available');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel('Email').waitFor();
  await page.getByLabel('Email').fill('b1@demo.test');
  await page.getByLabel('Password').fill('demo-password-1');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('section[aria-label="Queue"]').waitFor();
  await expect.poll(() => state(page)).toBe('available');
  expect(await page.getByRole('radio', { name: 'Available' }).isChecked()).toBe(true);
  await screenshot(page, 'mechanic-availability-restored');
});

it('keeps "Sound on" across a reload and, when the browser mutes it, says so with one click to re-enable', async () => {
  const page = await dashboard('b2@demo.test', true);
  const sound = page.getByRole('button', { name: /sound/i });
  expect(await sound.getAttribute('aria-pressed')).toBe('false');
  await sound.click();
  await expect.poll(() => sound.getAttribute('aria-pressed')).toBe('true');

  // Headless Chromium plays audio without a click whatever --autoplay-policy says, so the page
  // gets the real browsers' rule: an AudioContext stays suspended until the user has interacted.
  await page.context().addInitScript(() => {
    const Original = window.AudioContext;
    // Chromium reports navigator.userActivation as active in a new tab Playwright opens, so
    // the rule is keyed on a real pointer or key event in this document instead.
    let interacted = false;
    for (const type of ['pointerdown', 'keydown'])
      window.addEventListener(type, () => (interacted = true), { capture: true });
    class Policed extends Original {
      override get state(): AudioContextState {
        return interacted ? super.state : 'suspended';
      }
      override resume(): Promise<void> {
        return interacted ? super.resume() : new Promise(() => {});
      }
    }
    Object.defineProperty(window, 'AudioContext', { value: Policed, configurable: true, writable: true });
  });
  // Chromium carries the click's activation over a reload; a restarted browser does not: open the
  // dashboard in a fresh tab, as after a crash or restart (same browser profile, same storage).
  const first = page;
  const page2 = await first.context().newPage();
  await first.close();
  await page2.goto(app.mechanicUrl);
  await page2.locator('section[aria-label="Queue"]').waitFor();
  await expect
    .poll(() => page2.getByRole('button', { name: /sound/i }).getAttribute('aria-pressed'))
    .toBe('true');
  const banner = page2.getByRole('alert').filter({ hasText: 'Sound is off' });
  await banner.waitFor();
  await screenshot(page2, 'mechanic-sound-blocked-after-reload');
  await banner.getByRole('button', { name: 'Turn sound back on' }).click();
  await expect.poll(() => banner.count()).toBe(0);
  expect(await page2.getByRole('button', { name: /sound/i }).textContent()).toBe('Sound on');
});

it('serves a favicon and the install manifest (no 404 on load)', async () => {
  for (const path of ['favicon.svg', 'manifest.webmanifest', 'icons/icon-192.png', 'icons/icon-512.png']) {
    const res = await fetch(`${app.mechanicUrl}${path}`);
    await expect(res.status, path).toBe(200);
  }
  const manifest = (await (await fetch(`${app.mechanicUrl}manifest.webmanifest`)).json()) as {
    display: string;
    start_url: string;
  };
  expect(manifest).toMatchObject({ display: 'standalone', start_url: '/mechanic/' });
});
