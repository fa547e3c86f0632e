import { fromStoredEvent, startPushSender } from '@dispatch/api/alerts';
import type { Browser, BrowserContext, CDPSession, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LocalPushService, startLocalPushService } from '../../api/test/support/push-service.ts';
import { type AppServer, launchBrowser, newContext, screenshot, startAppServer } from '../src/index.ts';
import { type ApiUser, apiLogIn, book, openDashboard } from '../src/mechanic-helpers.ts';

/**
 * The service worker shows or closes a notification on its own time: seconds on a loaded CI
 * machine, where 5 s ran out once with the message already handed to the worker (2026-12-02).
 */
const WORKER_WAIT = { timeout: 15_000 };

let app: AppServer;
let browser: Browser;
let pushService: LocalPushService;
let sender: ReturnType<typeof startPushSender>;
let customer: ApiUser;
let context: BrowserContext;

beforeAll(async () => {
  [app, browser, pushService] = await Promise.all([
    startAppServer(),
    launchBrowser(),
    startLocalPushService(),
  ]);
  // The real sender on the real server's event log (the lead wires the same call into the server).
  sender = startPushSender(app.server.services, app.server.services.hub, fromStoredEvent);
  // These tests let a few mechanics take many requests; capacity has its own tests.
  await app.database.db.mechanic.updateMany({ data: { virtualCapacity: 1000 } });
  customer = await apiLogIn(app.url, 'customer1@demo.test');
});
afterAll(async () => {
  await context?.close();
  await sender?.stop();
  await browser?.close();
  await pushService?.close();
  await app?.close();
});

/** What the tests read of the worker's global scope. */
type SwScope = { registration: ServiceWorkerRegistration };

interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  actions: string[];
}

async function serviceWorker(ctx: BrowserContext): Promise<Worker> {
  const existing = ctx.serviceWorkers().find((w) => w.url().endsWith('/mechanic/sw.js'));
  return (
    existing ?? ctx.waitForEvent('serviceworker', { predicate: (w) => w.url().endsWith('/mechanic/sw.js') })
  );
}

function shown(worker: Worker): Promise<ShownNotification[]> {
  return worker.evaluate(async () => {
    const list = await (self as unknown as SwScope).registration.getNotifications();
    return list.map((n: Notification) => ({
      title: n.title,
      body: n.body,
      tag: n.tag,
      actions: ((n as Notification & { actions?: { action: string }[] }).actions ?? []).map((a) => a.action),
    }));
  });
}

/**
 * The push service holds what the server sent, decrypted: find the message for which `match` holds
 * and deliver it to the worker through the DevTools protocol, as Chrome's push stack would.
 */
async function deliver(
  cdp: CDPSession,
  registrationId: string,
  clientHash: string,
  match: (message: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  const find = async () =>
    (await pushService.messages(clientHash)).find((text) =>
      match(JSON.parse(text) as Record<string, unknown>),
    );
  await expect.poll(find, { timeout: 5_000 }).toBeTruthy();
  const data = (await find()) as string;
  await cdp.send('ServiceWorker.deliverPushMessage', {
    origin: new URL(app.url).origin,
    registrationId,
    data,
  });
  return JSON.parse(data) as Record<string, unknown>;
}

it('a push reaches the service worker: notification with Accept and Open, Accept from the notification, retraction when taken elsewhere', async () => {
  context = await newContext(browser, { notificationsFor: app.url });
  const page: Page = await openDashboard(context, app.mechanicUrl, 'a1@demo.test');
  const worker = await serviceWorker(context);
  const cdp = await context.newCDPSession(page);
  const registrations = new Map<string, string>();
  cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: list }) => {
    for (const r of list) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
  });
  await cdp.send('ServiceWorker.enable');
  await expect.poll(() => registrations.get(app.mechanicUrl), { timeout: 5_000 }).toBeTruthy();
  const registrationId = registrations.get(app.mechanicUrl) as string;

  // This mechanic's device, subscribed at the local push service (Chromium's own push service
  // needs the internet). The page itself is not focused-and-subscribed, so the device gets pushes.
  const mechanic = await apiLogIn(app.url, 'a1@demo.test');
  const { publicKey } = await mechanic.query<{ publicKey: string }>('push.publicKey');
  const device = await pushService.subscribe(publicKey);
  await mechanic.mutate('push.subscribe', { endpoint: device.endpoint, keys: device.keys });

  // 1. A new request: the real server sends the push; the worker shows it with both actions.
  const first = await book(customer, { sessionType: 'video', vehicleMake: 'Volvo', vehicleModel: 'V70' });
  const alert = await deliver(
    cdp,
    registrationId,
    device.clientHash,
    (m) => m.assignmentId === first.assignmentId,
  );
  expect(alert).toMatchObject({ kind: 'alert', assignmentId: first.assignmentId });
  await expect
    .poll(() => shown(worker), WORKER_WAIT)
    .toEqual([
      {
        title: 'New request — Video call: 2019 Volvo V70',
        body: expect.stringContaining('Grinding noise'),
        tag: `request-${first.assignmentId}`,
        actions: ['accept', 'open'],
      },
    ]);
  await screenshot(page, 'mechanic-push-delivered');

  // 2. Accept from the notification: the worker accepts with the mechanic's cookie and shows the outcome.
  const result = await worker.evaluate(async () => {
    const scope = self as unknown as SwScope & {
      handleNotificationClick(n: Notification, action: string): Promise<{ ok: boolean } | null>;
    };
    const [notification] = await scope.registration.getNotifications();
    return notification ? scope.handleNotificationClick(notification, 'accept') : null;
  });
  expect(result).toMatchObject({ ok: true });
  await expect
    .poll(async () => (await shown(worker)).map((n) => n.title), WORKER_WAIT)
    .toEqual(['You accepted — Video call: 2019 Volvo V70']);
  const accepted = await app.database.db.sessionAssignment.findUniqueOrThrow({
    where: { id: first.assignmentId },
  });
  expect(accepted.status).toBe('accepted');
  // Its delivery receipts: sent by the server process, shown and clicked as the worker reported them.
  const a1 = await app.database.db.user.findUniqueOrThrow({ where: { email: 'a1@demo.test' } });
  await expect
    .poll(
      async () =>
        (
          await app.database.db.deliveryReceipt.findMany({
            where: { sessionId: first.sessionId, mechanicId: a1.id, channel: { startsWith: 'push_' } },
          })
        )
          .map((r) => r.channel)
          .sort(),
      { timeout: 5_000 },
    )
    .toEqual(['push_clicked', 'push_sent', 'push_shown']);
  // Close the outcome before the next round.
  await worker.evaluate(async () => {
    for (const n of await (self as unknown as SwScope).registration.getNotifications()) n.close();
  });
  await mechanic.mutate('assignment.complete', {
    assignmentId: first.assignmentId,
    outcome: 'resolved',
    note: 'Sorted out together.',
  });

  // 3. Another request, shown, then taken by another mechanic: the follow-up push closes it.
  const second = await book(customer, { sessionType: 'chat', vehicleMake: 'Skoda', vehicleModel: 'Octavia' });
  const next = await deliver(
    cdp,
    registrationId,
    device.clientHash,
    (m) => m.kind === 'alert' && m.assignmentId === second.assignmentId,
  );
  expect(next).toMatchObject({ kind: 'alert', assignmentId: second.assignmentId });
  await expect
    .poll(async () => (await shown(worker)).map((n) => n.tag), WORKER_WAIT)
    .toEqual([`request-${second.assignmentId}`]);
  const other = await apiLogIn(app.url, 'a2@demo.test');
  await other.mutate('mechanic.setAvailability', { availability: 'available' });
  await other.mutate('assignment.accept', { assignmentId: second.assignmentId });
  const retract = await deliver(
    cdp,
    registrationId,
    device.clientHash,
    (m) => m.kind === 'retract' && m.assignmentId === second.assignmentId,
  );
  expect(retract).toMatchObject({ reason: 'taken' });
  await screenshot(page, 'mechanic-push-retracted');
  await expect.poll(() => shown(worker), WORKER_WAIT).toEqual([]);
});

it('Settings lists the devices that get pushes and removes one', async () => {
  const ctx = await newContext(browser);
  try {
    const page = await openDashboard(ctx, app.mechanicUrl, 'b1@demo.test');
    const mechanic = await apiLogIn(app.url, 'b1@demo.test');
    const { publicKey } = await mechanic.query<{ publicKey: string }>('push.publicKey');
    for (let i = 0; i < 2; i += 1) {
      const device = await pushService.subscribe(publicKey);
      await mechanic.mutate('push.subscribe', { endpoint: device.endpoint, keys: device.keys });
    }
    await page.getByRole('button', { name: 'Settings' }).click();
    const list = page.getByRole('list', { name: 'Subscribed devices' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(2);
    expect(await page.getByRole('button', { name: 'Turn on push alerts on this device' }).count()).toBe(1);
    await screenshot(page, 'mechanic-settings-devices');
    await list
      .getByRole('button', { name: /^Remove / })
      .first()
      .click();
    await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
    expect(await mechanic.query<unknown[]>('push.devices')).toHaveLength(1);
  } finally {
    await ctx.close();
  }
});
