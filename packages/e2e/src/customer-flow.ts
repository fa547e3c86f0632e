import type { AppRouter } from '@dispatch/api';
// This package does not depend on @trpc/client itself; the API package's copy is the same version.
import { createTRPCClient, httpLink } from '@trpc/client';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { AppServer } from './app-server.ts';

const DEMO_PASSWORD = 'demo-password-1';

/** A typed tRPC client in Node, logged in over HTTP as `email` (a mechanic, say), cookie attached. */
export async function apiClientAs(app: AppServer, email: string, password = DEMO_PASSWORD) {
  const res = await fetch(`${app.url}/trpc/auth.logIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: app.url },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`log-in as ${email} failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${app.url}/trpc`, headers: { cookie, origin: app.url } })],
  });
}

let counter = 0;
/** A fresh customer identity per call, so tests never share state. */
export function newCustomer(label: string) {
  counter += 1;
  const id = `${label}-${Date.now().toString(36)}-${counter}`;
  return { name: 'Jamie Rivera', email: `${id}@example.test`, password: 'correct-horse-battery' };
}

/** Signs up through the UI, from the log-in screen, and waits for the booking form. */
export async function signUp(page: Page, customer: { name: string; email: string; password: string }) {
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Name', { exact: true }).fill(customer.name);
  await page.getByLabel('Email', { exact: true }).fill(customer.email);
  await page.getByLabel('Password', { exact: true }).fill(customer.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { level: 1, name: 'Book a mechanic' }).waitFor();
}

export interface IntakeChoices {
  year?: string;
  make?: string;
  model?: string;
  concern?: string;
  type?: 'Video call' | 'Chat' | 'Diagnostic' | 'In person at a workshop';
  plan?: 'Free' | 'Paid';
  urgent?: boolean;
  /** The callback phone, asked for in-person and urgent requests (a default is typed when asked). */
  phone?: string;
  /** Double-click "Book session", as an anxious customer might. */
  doubleClick?: boolean;
}

/** Fills the booking form (the name is prefilled from the account) and books. */
export async function book(page: Page, choices: IntakeChoices = {}) {
  await page.getByLabel('Vehicle year').fill(choices.year ?? '2018');
  await page.getByLabel('Make', { exact: true }).fill(choices.make ?? 'Honda');
  await page.getByLabel('Model', { exact: true }).fill(choices.model ?? 'Civic');
  await page
    .getByLabel("What's going on?")
    .fill(choices.concern ?? 'Grinding noise from the front left wheel when braking since Monday.');
  await page
    .getByRole('radiogroup', { name: 'Session type' })
    .getByRole('radio', { name: choices.type ?? 'Video call', exact: true })
    .check();
  await page
    .getByRole('radiogroup', { name: 'Plan' })
    .getByRole('radio', { name: choices.plan ?? 'Free', exact: true })
    .check();
  if (choices.urgent) await page.getByRole('checkbox', { name: 'Urgent' }).check();
  if (choices.urgent || choices.type === 'In person at a workshop' || choices.phone !== undefined) {
    await page.getByLabel('Callback phone').fill(choices.phone ?? '+44 20 7946 0958');
  }
  const submit = page.getByRole('button', { name: 'Book session' });
  await (choices.doubleClick ? submit.dblclick() : submit.click());
}

/** The session id in the status page's URL (`#/session/<id>`). */
export async function sessionIdOf(page: Page): Promise<string> {
  await page.waitForURL(/#\/session\/[0-9a-f-]{36}$/);
  const id = new URL(page.url()).hash.split('/').pop();
  if (!id) throw new Error(`no session id in ${page.url()}`);
  return id;
}

/** The status page's one h1. */
export function statusHeading(page: Page) {
  return page.getByRole('heading', { level: 1 });
}

/** Signs the waiver shown on a free session's status page. */
export async function signWaiver(page: Page, name = 'Jamie Rivera') {
  await page.getByLabel('Type your full name to sign').fill(name);
  await page.getByRole('checkbox', { name: 'I have read and agree to this waiver' }).check();
  await page.getByRole('button', { name: 'Sign and join the queue' }).click();
}

/** `expect.poll` with room for a loaded CI machine (its default gives up after one second). */
export function eventually<T>(read: () => T | Promise<T>, timeout = 10_000) {
  return expect.poll(read, { timeout, interval: 50 });
}
