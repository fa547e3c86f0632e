import { deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { type AppServer, newContext, screenshot, seriousA11yViolations } from '../src/index.ts';
import { apiLogIn, book, DEMO_PASSWORD, mySessionCard, openDashboard } from '../src/mechanic-helpers.ts';
import { forThisFile } from '../src/suite.ts';

let app: AppServer;
let browser: Browser;
forThisFile((started) => {
  ({ app, browser } = started);
});

/** A real PNG (a brake disc's colours in stripes), made here so the test needs no fixture file. */
function stripedPng(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = (crcTable[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offset = y * (width * 3 + 1) + 1 + x * 3;
      const band = Math.floor(x / 24) % 2;
      rows.set(band ? [120, 120, 128] : [176, 72, 40], offset);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const room = (page: Page) => page.locator('section.room');
const composer = (page: Page) => room(page).getByLabel('Message', { exact: true });
const messageTexts = (page: Page) =>
  room(page)
    .locator('.room__msg[data-position] .room__body')
    .evaluateAll((nodes) => nodes.map((n) => n.textContent ?? ''));
/** How far the page is wider than the window (0 when nothing scrolls sideways). */
const sidewaysOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

it('a customer (375 px) and a mechanic (1280 px) chat in two browsers: order, marks, photo, offline queue, unread badge', async () => {
  const customerApi = await apiLogIn(app.url, 'customer1@demo.test');
  const mechanicApi = await apiLogIn(app.url, 'virtual@demo.test');
  const session = await book(customerApi, {
    sessionType: 'diagnostic',
    vehicleMake: 'Toyota',
    vehicleModel: 'Corolla',
  });
  await mechanicApi.mutate('assignment.accept', { assignmentId: session.assignmentId });

  const mechanicContext = await newContext(browser);
  const mechanic = await openDashboard(mechanicContext, app.mechanicUrl, 'virtual@demo.test');
  const customerContext = await newContext(browser, { mobile: true });
  const customer = await customerContext.newPage();
  await customer.goto(`${app.customerUrl}#/session/${session.sessionId}`);
  await customer.getByLabel('Email', { exact: true }).fill('customer1@demo.test');
  await customer.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await customer.getByRole('button', { name: 'Log in' }).click();
  await room(customer)
    .getByText(/No messages yet/)
    .waitFor();
  await expect
    .poll(() => room(customer).getByRole('heading').textContent())
    .toBe('Chat with Priya Natarajan');
  const card = mySessionCard(mechanic, session.assignmentId);
  await card.locator('section.room').waitFor();
  await screenshot(customer, 'room-customer-375-empty');
  // The hidden photo input must not widen the page on a phone.
  expect(await sidewaysOverflow(customer)).toBeLessThanOrEqual(0);

  // Enter sends; the mechanic's room shows it in order; Shift+Enter is a new line.
  await composer(customer).fill('Hi, the brake pedal feels soft since this morning.');
  await composer(customer).press('Enter');
  await expect
    .poll(() => messageTexts(mechanic))
    .toEqual(['Hi, the brake pedal feels soft since this morning.']);
  await composer(mechanic).click();
  await composer(mechanic).pressSequentially('Thanks. Two questions:');
  await composer(mechanic).press('Shift+Enter');
  await composer(mechanic).pressSequentially(
    'Any warning light? Can you send a photo of the fluid reservoir?',
  );
  await composer(mechanic).press('Enter');
  const reply = 'Thanks. Two questions:\nAny warning light? Can you send a photo of the fluid reservoir?';
  await expect
    .poll(() => messageTexts(customer))
    .toEqual(['Hi, the brake pedal feels soft since this morning.', reply]);
  // Both pages are in view: each side's message ends up read by the other.
  await expect
    .poll(() => room(customer).locator('.room__msg--mine').first().getAttribute('data-mark'))
    .toBe('read');
  await expect.poll(() => card.locator('.room__msg--mine').first().getAttribute('data-mark')).toBe('read');
  expect(await card.locator('.room__msg--mine .room__mark').first().textContent()).toBe('✓✓ Read');

  // Over the limit: Send is disabled, Enter sends nothing, and the composer says why.
  const sendButton = room(customer).getByRole('button', { name: 'Send', exact: true });
  await composer(customer).fill('x'.repeat(2100));
  expect(await sendButton.isDisabled()).toBe(true);
  await composer(customer).press('Enter');
  expect(await room(customer).locator('[data-problem="too-long"]').textContent()).toBe(
    'Too long to send: 2,100 characters, at most 2,000. Remove 100 to send it.',
  );
  expect(await room(customer).locator('[data-outbox]').count()).toBe(0);
  await screenshot(customer, 'room-customer-375-too-long');
  await composer(customer).fill('');
  expect(await room(customer).locator('[data-problem="too-long"]').count()).toBe(0);

  // A refused photo says why once: a second refusal replaces the first, a sent message clears it.
  const photoInput = room(customer).locator('input[type="file"]');
  for (const name of ['notes.txt', 'notes-again.txt']) {
    await photoInput.setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from('not a photo') });
    await expect.poll(() => room(customer).locator('[data-problem="photo"]').count()).toBe(1);
  }
  expect((await room(customer).locator('[data-problem="photo"]').textContent())?.trim()).toBe(
    'Only JPEG, PNG or WebP photos can be sent.',
  );
  await composer(customer).fill('Sorry, wrong file.');
  await composer(customer).press('Enter');
  await expect.poll(() => room(customer).locator('[data-problem="photo"]').count()).toBe(0);

  // A photo from the customer's phone reaches the mechanic as an image only the room can load.
  await room(customer)
    .locator('input[type="file"]')
    .setInputFiles({
      name: 'reservoir.png',
      mimeType: 'image/png',
      buffer: stripedPng(240, 160),
    });
  const photo = card.locator('.room__photo img');
  await photo.waitFor();
  await expect.poll(() => photo.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(240);
  expect(await photo.getAttribute('alt')).toBe('Sent by Dana Reyes');

  // Offline: the message waits in the outbox, says so, and goes when the network is back.
  await customerContext.setOffline(true);
  await composer(customer).fill('No warning light. Sending more when I have signal.');
  await composer(customer).press('Enter');
  await room(customer).locator('[data-outbox="queued"]').waitFor();
  expect(await room(customer).locator('[data-outbox="queued"]').textContent()).toContain('offline');
  await screenshot(customer, 'room-customer-375-offline-queued');
  await customerContext.setOffline(false);
  await expect
    .poll(() => messageTexts(mechanic), { timeout: 15_000 })
    .toContain('No warning light. Sending more when I have signal.');
  await expect.poll(() => room(customer).locator('[data-outbox]').count(), { timeout: 15_000 }).toBe(0);

  // The mechanic hides the chat: a new message shows as a badge and in the tab's title.
  await card.getByRole('button', { name: 'Hide chat' }).click();
  await composer(customer).fill('Reservoir is at the MIN line.');
  await composer(customer).press('Enter');
  await expect.poll(() => card.locator('.room-badge').textContent()).toBe('1 new');
  await expect.poll(() => mechanic.title()).toMatch(/^\(1 new\) /);
  await screenshot(mechanic, 'room-mechanic-1280-unread-badge');
  await card.getByRole('button', { name: /Open chat/ }).click();
  await expect.poll(() => card.locator('.room-badge').count()).toBe(0);
  await expect.poll(() => mechanic.title()).not.toMatch(/new\)/);

  expect(await seriousA11yViolations(customer)).toEqual([]);
  expect(await seriousA11yViolations(mechanic)).toEqual([]);
  await screenshot(customer, 'room-customer-375');
  expect(await sidewaysOverflow(customer)).toBeLessThanOrEqual(0);
  // A reload opens the history at its newest message, also once the photo in it has loaded.
  // The photo arrives after the text (as on a slow phone network), when the list is already scrolled.
  await customer.route('**/room-photos/*', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await route.continue();
  });
  await customer.reload();
  const customerPhoto = room(customer).locator('.room__photo img');
  await expect
    .poll(
      () =>
        customerPhoto.evaluate(
          (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth,
        ),
      { timeout: 10_000 },
    )
    .toBe(240);
  const list = room(customer).getByRole('list', { name: 'Messages' });
  expect(await list.evaluate((ol) => ol.scrollHeight > ol.clientHeight + 100)).toBe(true);
  await expect
    .poll(() => list.evaluate((ol) => ol.scrollHeight - ol.scrollTop - ol.clientHeight))
    .toBeLessThan(4);
  await screenshot(customer, 'room-customer-375-reloaded');
  await customer.unroute('**/room-photos/*');
  await screenshot(mechanic, 'room-mechanic-1280');
  await customer.setViewportSize({ width: 1280, height: 860 });
  await mechanic.setViewportSize({ width: 375, height: 740 });
  await screenshot(customer, 'room-customer-1280');
  await screenshot(mechanic, 'room-mechanic-375');
  expect(await sidewaysOverflow(mechanic)).toBeLessThanOrEqual(0);

  // Completed: both keep the history, read-only.
  await mechanicApi.mutate('assignment.complete', {
    assignmentId: session.assignmentId,
    outcome: 'needs_workshop',
    note: 'See the findings.',
    findings: {
      checked: 'Photos of the dashboard and the codes',
      suspectedCause: 'Worn spark plugs',
      advice: 'Replace the plugs at a workshop',
    },
  });
  await room(customer)
    .getByText(/This session has ended/)
    .waitFor();
  expect(await composer(customer).count()).toBe(0);
  expect(await messageTexts(customer)).toHaveLength(5);
  await screenshot(customer, 'room-customer-1280-read-only');
  await Promise.all([mechanicContext.close(), customerContext.close()]);
}, 90_000);
