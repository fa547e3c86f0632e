import type { Browser } from 'playwright-core';
import { expect, it } from 'vitest';
import { type AppServer, newContext, screenshot, startAppServer } from '../src/index.ts';
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

// Five seconds without a connection (the shortest the server allows) instead of three minutes.
forThisFile(
  (started) => {
    ({ app, browser } = started);
  },
  { start: () => startAppServer({ STRANDED_AFTER_SECONDS: '5' }) },
);

it('a mechanic whose accepted visit went back to the queue while they had no connection is told when they log in again, until they dismiss it', async () => {
  const customer = await apiLogIn(app.url, 'customer1@demo.test');
  const { A } = await workshopIds(customer);
  const visit = await book(customer, {
    sessionType: 'in_person',
    workshopId: A,
    vehicleMake: 'Subaru',
    vehicleModel: 'Outback',
  });

  const first = await newContext(browser);
  const page = await openDashboard(first, app.mechanicUrl, 'a1@demo.test');
  await queueCard(page, visit.assignmentId).getByRole('button', { name: 'Accept' }).click();
  await mySessionCard(page, visit.assignmentId).waitFor();
  // The dashboard goes away (laptop closed): no heartbeat reaches the server any more.
  await first.close();

  const assignment = () =>
    app.database.db.sessionAssignment.findUniqueOrThrow({ where: { id: visit.assignmentId } });
  await expect.poll(async () => (await assignment()).status, { timeout: 20_000 }).toBe('queued');
  const requeue = await app.database.db.assignmentEvent.findFirstOrThrow({
    where: { assignmentId: visit.assignmentId, type: 'requeue' },
  });
  const at = requeue.createdAt.toISOString().slice(11, 16);

  for (const mobile of [false, true]) {
    const context = await newContext(browser, { mobile });
    const back = await openDashboard(context, app.mechanicUrl, 'a1@demo.test');
    const notice = back.getByRole('status', { name: 'Notices' }).locator('.notice--sticky');
    await expect
      .poll(() => notice.textContent(), { timeout: 20_000 })
      .toContain(
        `Your in-person visit for 2019 Subaru Outback went back to the queue at ${at} because your dashboard had no connection for 5 s.`,
      );
    // It stays (short notices go after 12 s): this is news they must not miss.
    expect(await notice.getByRole('button', { name: 'Dismiss' }).isVisible()).toBe(true);
    await screenshot(back, mobile ? 'mechanic-returned-notice-375' : 'mechanic-returned-notice');
    // Nothing stays hidden under it: scrolled to the end, the page's last content clears the notices.
    await back.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await expect
      .poll(() =>
        back.evaluate(() => {
          const notices = document.querySelector('.notices')?.getBoundingClientRect();
          const content = [...document.body.querySelectorAll('main, main *')].filter(
            (element) => !element.closest('.notices') && element.getBoundingClientRect().height > 0,
          );
          const end = Math.max(...content.map((element) => element.getBoundingClientRect().bottom));
          return notices && notices.height > 0 ? notices.top - end : null;
        }),
      )
      .toBeGreaterThanOrEqual(0);
    if (mobile) {
      await notice.getByRole('button', { name: 'Dismiss' }).click();
      expect(await notice.count()).toBe(0);
      // Dismissed in this browser: a reload does not bring it back.
      const answered = back.waitForResponse((res) => res.url().includes('stats.mine') && res.ok());
      await back.reload();
      await answered;
      await back.locator('section[aria-label="Queue"]').waitFor();
      await back.waitForTimeout(500);
      expect(await notice.count()).toBe(0);
    }
    await context.close();
  }
});
