// Issue #14 item 2 in real Chromium with fake camera and microphone: the customer (phone-sized)
// and the mechanic (desktop) of an accepted video session reach a connected RTCPeerConnection and
// each plays the other's video; the customer reloads and the call comes back by itself; a
// hang-up is told as such; a blocked camera shows plain instructions.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { book, eventually, newCustomer, sessionIdOf, signUp, statusHeading } from '../src/customer-flow.ts';
import { type AppServer, launchBrowser, newContext, screenshot } from '../src/index.ts';
import { mySessionCard, openDashboard, queueCard, queueIds } from '../src/mechanic-helpers.ts';
import { forThisFile } from '../src/suite.ts';
import { expectNoA11yViolations } from './customer-support.ts';

const FAKE_DEVICES = '--use-fake-device-for-media-stream';
const FAKE_PERMISSION_UI = '--use-fake-ui-for-media-stream';

let app: AppServer;
let browser: Browser;
forThisFile(
  (started) => {
    ({ app, browser } = started);
  },
  { browserArgs: [FAKE_DEVICES, FAKE_PERMISSION_UI] },
);

/** Keeps every RTCPeerConnection the page creates in window.__pcs, to read its state. */
async function recordPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Original = window.RTCPeerConnection;
    const made: RTCPeerConnection[] = [];
    (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = made;
    class Recorded extends Original {
      constructor(config?: RTCConfiguration) {
        super(config);
        made.push(this);
      }
    }
    Object.defineProperty(window, 'RTCPeerConnection', {
      value: Recorded,
      configurable: true,
      writable: true,
    });
  });
}

/** The newest peer connection's state and how many the page has made. */
function peerState(page: Page) {
  return page.evaluate(() => {
    const pcs = (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? [];
    return { count: pcs.length, state: pcs.at(-1)?.connectionState ?? 'none' };
  });
}

/** The remote <video>: whether it has frames (readyState ≥ 2) and its playback clock advances. */
async function remoteVideoPlaying(
  page: Page,
): Promise<{ readyState: number; advancing: boolean; width: number }> {
  const read = () =>
    page.evaluate(() => {
      const video = document.querySelector<HTMLVideoElement>('video[data-call-video="remote"]');
      return video
        ? {
            readyState: video.readyState,
            time: video.currentTime,
            width: video.videoWidth,
            paused: video.paused,
          }
        : { readyState: 0, time: 0, width: 0, paused: true };
    });
  const first = await read();
  await page.waitForTimeout(600);
  const second = await read();
  return {
    readyState: second.readyState,
    advancing: !second.paused && second.time > first.time,
    width: second.width,
  };
}

function callStatus(page: Page) {
  return page.locator('section.call [role="status"]').textContent();
}

it('customer on a phone and mechanic on a desktop connect, see each other, survive a reload, and a hang-up is told', async () => {
  // The customer books a paid video call.
  const customerContext = await newContext(browser, { mobile: true });
  customerContext.setDefaultTimeout(15_000);
  await recordPeerConnections(customerContext);
  const customer = await customerContext.newPage();
  await customer.goto(app.customerUrl);
  await signUp(customer, newCustomer('video'));
  await book(customer, { plan: 'Paid', type: 'Video call' });
  await sessionIdOf(customer);
  await eventually(() => statusHeading(customer).textContent()).toMatch(/^Waiting for a mechanic/);

  // The virtual mechanic accepts it on the dashboard.
  const mechanicContext = await newContext(browser);
  mechanicContext.setDefaultTimeout(15_000);
  await recordPeerConnections(mechanicContext);
  const mechanic = await openDashboard(mechanicContext, app.mechanicUrl, 'virtual@demo.test');
  await eventually(() => queueIds(mechanic)).toHaveLength(1);
  const [assignmentId] = await queueIds(mechanic);
  if (!assignmentId) throw new Error('no card');
  await queueCard(mechanic, assignmentId).getByRole('button', { name: 'Accept' }).click();
  const card = mySessionCard(mechanic, assignmentId);
  await card.getByRole('button', { name: 'Join call' }).waitFor();

  // The customer's page offers the call; nothing has asked for the camera yet.
  await customer.getByRole('button', { name: 'Join call' }).waitFor();
  expect(await customer.locator('video').count()).toBe(0);
  await screenshot(customer, 'video-call-customer-before-join-375');

  // The customer joins by keyboard and waits for the mechanic.
  await customer.getByRole('button', { name: 'Join call' }).focus();
  await customer.keyboard.press('Enter');
  await eventually(() => callStatus(customer)).toMatch(/^Waiting for .* to join the call/);
  await screenshot(customer, 'video-call-customer-waiting-375');

  // The mechanic joins: both reach a connected peer connection and play the other's video.
  await card.getByRole('button', { name: 'Join call' }).click();
  await eventually(async () => (await peerState(customer)).state, 20_000).toBe('connected');
  await eventually(async () => (await peerState(mechanic)).state, 20_000).toBe('connected');
  await eventually(() => callStatus(customer)).toMatch(/^Connected with /);
  await eventually(() => callStatus(mechanic)).toMatch(/^Connected with Jamie Rivera/);
  for (const page of [customer, mechanic]) {
    await eventually(() => remoteVideoPlaying(page), 15_000).toMatchObject({ advancing: true });
    const playing = await remoteVideoPlaying(page);
    expect(playing.readyState).toBeGreaterThanOrEqual(2);
    expect(playing.width).toBeGreaterThan(0);
  }
  await expectNoA11yViolations(customer, 'customer video call');
  await screenshot(customer, 'video-call-customer-connected-375');
  await screenshot(mechanic, 'video-call-mechanic-connected-1280');

  // Mute and camera off are plain switches; the other side keeps the connection.
  await customer.getByRole('button', { name: 'Mute microphone' }).click();
  await customer.getByRole('button', { name: 'Turn camera off' }).click();
  await customer.getByRole('button', { name: 'Unmute microphone' }).waitFor();
  expect(
    await customer.evaluate(() =>
      [...document.querySelectorAll<HTMLVideoElement>('video[data-call-video="local"]')].flatMap((video) =>
        (video.srcObject as MediaStream).getTracks().map((track) => `${track.kind}:${track.enabled}`),
      ),
    ),
  ).toEqual(expect.arrayContaining(['audio:false', 'video:false']));
  await screenshot(customer, 'video-call-customer-muted-375');
  await customer.getByRole('button', { name: 'Unmute microphone' }).click();
  await customer.getByRole('button', { name: 'Turn camera on' }).click();

  // The customer reloads: the call comes back by itself, on a new peer connection on both sides.
  const mechanicBefore = (await peerState(mechanic)).count;
  await customer.reload();
  await eventually(async () => (await peerState(customer)).state, 20_000).toBe('connected');
  await eventually(async () => (await peerState(mechanic)).count, 20_000).toBeGreaterThan(mechanicBefore);
  await eventually(async () => (await peerState(mechanic)).state, 20_000).toBe('connected');
  for (const page of [customer, mechanic]) {
    await eventually(() => remoteVideoPlaying(page), 15_000).toMatchObject({ advancing: true });
  }
  await screenshot(customer, 'video-call-customer-after-reload-375');

  // The mechanic hangs up: the customer reads that they left (not that something broke).
  await card.getByRole('button', { name: 'Leave call' }).click();
  await eventually(() => callStatus(customer)).toMatch(/left the call/);
  await eventually(() => callStatus(mechanic)).toBe('You left the call.');
  await screenshot(customer, 'video-call-customer-peer-left-375');
  await screenshot(mechanic, 'video-call-mechanic-left-1280');

  // And the mechanic can rejoin: connected again.
  await card.getByRole('button', { name: 'Rejoin call' }).click();
  await eventually(async () => (await peerState(mechanic)).state, 20_000).toBe('connected');
  await eventually(async () => (await peerState(customer)).state, 20_000).toBe('connected');

  // The mechanic's tab closes without a hang-up: the customer reads that the connection dropped.
  await mechanic.close();
  await eventually(() => callStatus(customer), 20_000).toMatch(/connection dropped/);
  await screenshot(customer, 'video-call-customer-peer-dropped-375');
  await customerContext.close();
  await mechanicContext.close();
});

it('a blocked camera and microphone say how to allow them, on a phone and a desktop', async () => {
  // Without the fake permission prompt, headless Chromium refuses getUserMedia (NotAllowedError).
  const strict = await launchBrowser([FAKE_DEVICES]);
  try {
    const customerContext = await newContext(strict, { mobile: true });
    customerContext.setDefaultTimeout(15_000);
    const customer = await customerContext.newPage();
    await customer.goto(app.customerUrl);
    await signUp(customer, newCustomer('blocked'));
    await book(customer, { plan: 'Paid', type: 'Video call' });
    await sessionIdOf(customer);
    const mechanicContext = await newContext(strict);
    mechanicContext.setDefaultTimeout(15_000);
    const mechanic = await openDashboard(mechanicContext, app.mechanicUrl, 'virtual@demo.test');
    await eventually(() => queueIds(mechanic)).toHaveLength(1);
    const [assignmentId] = await queueIds(mechanic);
    if (!assignmentId) throw new Error('no card');
    await queueCard(mechanic, assignmentId).getByRole('button', { name: 'Accept' }).click();

    await customer.getByRole('button', { name: 'Join call' }).click();
    await eventually(() => callStatus(customer)).toBe('Your camera and microphone are blocked');
    await expect(customer.getByRole('alert').textContent()).resolves.toMatch(
      /set Camera and Microphone to Allow/,
    );
    await customer.getByRole('button', { name: 'Try again' }).waitFor();
    await screenshot(customer, 'video-call-customer-blocked-375');

    const card = mySessionCard(mechanic, assignmentId);
    await card.getByRole('button', { name: 'Join call' }).click();
    await eventually(() => card.locator('section.call [role="status"]').textContent()).toBe(
      'Your camera and microphone are blocked',
    );
    await screenshot(mechanic, 'video-call-mechanic-blocked-1280');
    await customerContext.close();
    await mechanicContext.close();
  } finally {
    await strict.close();
  }
});
