import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  book,
  eventually,
  newCustomer,
  sessionIdOf,
  signUp,
  signWaiver,
  statusHeading,
} from '../src/customer-flow.ts';
import { type AppServer, newContext, screenshot, seriousA11yViolations } from '../src/index.ts';
import { forThisFile } from '../src/suite.ts';

let app: AppServer;
let browser: Browser;
forThisFile((started) => {
  ({ app, browser } = started);
});

describe('customer booking', () => {
  const returning = newCustomer('free');

  it('a new customer signs up, books a free session, signs the waiver and sees "waiting for a mechanic"', async () => {
    const context = await newContext(browser, { mobile: true });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(app.customerUrl);
    // A first visit lands on what the service is, with the log-in form below it.
    await page.getByRole('heading', { level: 2, name: 'Log in' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'customer-login-mobile');

    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Create your account' }).waitFor();
    await screenshot(page, 'customer-signup-mobile');
    await page.locator('main').getByRole('link', { name: 'Log in', exact: true }).click();
    await signUp(page, returning);

    // The name is prefilled from the account; the form is labelled and passes axe.
    await eventually(() => page.getByLabel('Your name').inputValue()).toBe(returning.name);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'customer-intake-mobile');

    await book(page, { plan: 'Free', type: 'Chat' });
    await sessionIdOf(page);
    await eventually(() => statusHeading(page).textContent()).toMatch(/^Waiting for your waiver/);
    await page.getByRole('region', { name: 'Waiver text' }).waitFor();
    await eventually(() => page.getByText(/Version \d{4}-\d{2}-\d{2}/).count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'customer-waiver-mobile');

    // Signing without consent is refused in place, with the reason next to the box.
    await page.getByLabel('Type your full name to sign').fill(returning.name);
    await page.getByRole('button', { name: 'Sign and join the queue' }).click();
    await page.getByText('Tick the box to agree to the waiver').waitFor();

    await signWaiver(page, returning.name);
    await eventually(() => statusHeading(page).textContent()).toMatch(/^Waiting for a mechanic/);
    // The step changed: reading starts at the new heading, and the tab title follows.
    await eventually(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    expect(await page.title()).toMatch(/^Waiting for a mechanic/);
    await page.getByText('Your place in the queue').waitFor();
    await page.getByRole('button', { name: 'Cancel request' }).waitFor();
    // The time waited ticks.
    const waited = page.locator('.stat__value').nth(1);
    const first = await waited.textContent();
    await eventually(() => waited.textContent(), 3_000).not.toBe(first);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'customer-waiting-mobile');

    const signed = await app.database.db.waiver.findFirst({
      where: { session: { customer: { email: returning.email } } },
    });
    expect(signed?.signerName).toBe(returning.name);
    expect(signed?.consent).toBe(true);
    await context.close();
  });

  it('a returning customer lands on their open session, and can log out', async () => {
    const context = await newContext(browser);
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(app.customerUrl);
    await page.getByLabel('Email', { exact: true }).fill(returning.email);
    await page.getByLabel('Password', { exact: true }).fill(returning.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await sessionIdOf(page);
    await eventually(() => statusHeading(page).textContent()).toMatch(/^Waiting for a mechanic/);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor();
    // The session cookie is gone: a reload stays logged out.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor();
    await context.close();
  });

  it('the phone given at sign-up is offered as the callback number of an in-person booking', async () => {
    const context = await newContext(browser, { mobile: true });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(app.customerUrl);
    const customer = newCustomer('phone');
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Name', { exact: true }).fill(customer.name);
    await page.getByLabel('Email', { exact: true }).fill(customer.email);
    await page.getByLabel('Password', { exact: true }).fill(customer.password);
    await page.getByLabel('Phone number (optional)').fill('+1 (415) 555-0142');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Book a mechanic' }).waitFor();
    await page.getByRole('radio', { name: 'In person at a workshop', exact: true }).check();
    // Stored normalised at sign-up; the customer may still change it for this visit.
    expect(await page.getByLabel('Callback phone').inputValue()).toBe('+14155550142');
    await context.close();
  });

  it('a paid booking skips the waiver', async () => {
    const context = await newContext(browser);
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(app.customerUrl);
    const customer = newCustomer('paid');
    await signUp(page, customer);
    await page.getByRole('radio', { name: 'In person at a workshop', exact: true }).check();
    const workshop = page.getByLabel('Workshop', { exact: true });
    await eventually(() => workshop.locator('option').count()).toBeGreaterThan(1);
    expect(await workshop.locator('option').first().textContent()).toBe('Any workshop');
    await workshop.selectOption({ index: 1 });
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'customer-intake-desktop');

    await book(page, { plan: 'Paid', type: 'In person at a workshop', urgent: true, doubleClick: true });
    const sessionId = await sessionIdOf(page);
    await eventually(() => statusHeading(page).textContent()).toMatch(/^Waiting for a mechanic/);
    expect(await page.getByLabel('Type your full name to sign').count()).toBe(0);
    await page.getByText('Live', { exact: true }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'customer-waiting-desktop');

    const row = await app.database.db.helpSession.findUnique({
      where: { id: sessionId },
      select: {
        plan: true,
        urgent: true,
        workshopId: true,
        waiver: true,
        assignment: { select: { status: true } },
      },
    });
    expect(row).toMatchObject({ plan: 'paid', urgent: true, waiver: null, assignment: { status: 'queued' } });
    expect(row?.workshopId).toBeTruthy();
    // The double click booked once: one idempotency key per form.
    expect(await app.database.db.helpSession.count({ where: { customer: { email: customer.email } } })).toBe(
      1,
    );
    await context.close();
  });

  it('bad intake input shows the right messages, inline, and creates nothing', async () => {
    const context = await newContext(browser, { mobile: true });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(app.customerUrl);
    await signUp(page, newCustomer('bad'));
    const before = await app.database.db.helpSession.count();

    // Inline, before submit: leaving a field shows what is wrong with it.
    await page.getByLabel('Vehicle year').fill('1900');
    await page.getByLabel('Make', { exact: true }).focus();
    await page.getByText('Vehicle year must be 1950 or later').waitFor();
    await page.getByLabel('Vehicle year').fill('19x5');
    await page.getByText('Vehicle year must be a number').waitFor();

    await page.getByLabel('Your name').fill('');
    await page.getByLabel("What's going on?").fill('noise');
    await page.getByRole('button', { name: 'Book session' }).click();
    for (const message of [
      'Your name is required',
      'Vehicle year must be a number',
      'Make is required',
      'Model is required',
      "“What's going on?” needs at least 10 characters",
      'Choose a plan',
    ]) {
      await page.getByText(message).waitFor();
    }
    // Focus goes to the first field that needs attention; fields say they are invalid.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-field'))).toBe(
      'customerName',
    );
    expect(await page.getByLabel('Your name').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'customer-intake-errors-mobile');

    // Fixing a field clears its message at once.
    await page.getByLabel('Your name').fill('Jamie Rivera');
    await eventually(() => page.getByText('Your name is required').count()).toBe(0);

    // Nothing was booked, and we stay on the form.
    expect(await app.database.db.helpSession.count()).toBe(before);
    expect(new URL(page.url()).hash).toBe('#/book');
    await context.close();
  });

  it('the waiver can be read and signed with the keyboard alone', async () => {
    const context = await newContext(browser);
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(app.customerUrl);
    await signUp(page, newCustomer('keys'));
    await book(page, { plan: 'Free' });
    const text = page.getByRole('region', { name: 'Waiver text' });
    await text.waitFor();
    await screenshot(page, 'customer-waiver-desktop');
    await text.focus();
    await page.keyboard.press('End');
    await eventually(() => text.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Jamie Rivera');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await eventually(() => statusHeading(page).textContent()).toMatch(/^Waiting for a mechanic/);
    await context.close();
  });

  it('sign-up problems are shown next to their fields, and a taken email says what to do', async () => {
    const context = await newContext(browser, { mobile: true });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(app.customerUrl);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Name', { exact: true }).fill('J');
    await page.getByLabel('Email', { exact: true }).fill('not-an-email');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Name needs at least 2 characters').waitFor();
    await page.getByText('Enter a valid email address').waitFor();
    await page.getByText('Password needs at least 10 characters').waitFor();
    expect(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    // Focus goes to the first field the server complained about.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('autocomplete')))
      .toBe('name');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'customer-signup-errors-mobile');

    await page.getByLabel('Name', { exact: true }).fill('Dana Reyes');
    await page.getByLabel('Email', { exact: true }).fill('customer1@demo.test');
    await page.getByLabel('Password', { exact: true }).fill('long-enough-password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page
      .getByRole('alert')
      .getByText('An account with this email already exists. Log in instead.')
      .waitFor();
    await context.close();
  });
});
