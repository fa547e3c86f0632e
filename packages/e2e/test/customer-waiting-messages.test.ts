import type { Browser } from 'playwright-core';
import { expect, it } from 'vitest';
import { apiClientAs, book, eventually, newCustomer, signUp, statusHeading } from '../src/customer-flow.ts';
import { type AppServer, newContext, screenshot } from '../src/index.ts';
import { forThisFile } from '../src/suite.ts';

let app: AppServer;
let browser: Browser;
forThisFile((started) => {
  ({ app, browser } = started);
});

// The two cases run in order: on the desktop, the phone's request is still waiting ahead of it.
it.each([
  ['phone', true, 'shown_to_mechanics', /on the screens of 1 mechanic; you are first in line/],
  ['desktop', false, 'waiting_in_line', /1 mechanic online; 1 request is ahead of yours/],
] as const)(
  'a waiting customer is told the truth, on a %s: nobody online, then a mechanic who could take it',
  async (name, mobile, code, said) => {
    const context = await newContext(browser, { mobile });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(app.customerUrl);
    await signUp(page, newCustomer(`waiting-${name}`));
    await book(page, { plan: 'Paid' });
    await eventually(() => statusHeading(page).textContent()).toMatch(/^Waiting for a mechanic/);
    const lead = page.locator('[data-waiting-code]');

    // No mechanic has a dashboard open: no "#1 you're next", the plain fact instead.
    await eventually(() => lead.getAttribute('data-waiting-code')).toBe('no_mechanic_online');
    expect(await lead.textContent()).toMatch(/No mechanic is online right now/);
    expect(await page.getByText("you're next").count()).toBe(0);
    await screenshot(page, `customer-waiting-nobody-online-${name}`);

    // A mechanic who can take it comes online: the page says so by itself.
    const mechanic = await apiClientAs(app, 'virtual@demo.test');
    await mechanic.mechanic.setAvailability.mutate({ availability: 'available' });
    await eventually(() => lead.getAttribute('data-waiting-code'), 20_000).toBe(code);
    expect(await lead.textContent()).toMatch(said);
    await screenshot(page, `customer-waiting-shown-${name}`);
    await mechanic.mechanic.setAvailability.mutate({ availability: 'away' });
    await context.close();
  },
);
