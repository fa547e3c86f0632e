import { randomUUID } from 'node:crypto';
import type { AssignmentCard, RouterInputs, RouterOutputs } from '@dispatch/api/client-types';
import { CURRENT_WAIVER } from '@dispatch/domain';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export const DEMO_PASSWORD = 'demo-password-1';

/** A signed-in API caller speaking tRPC's HTTP wire format (no batching, no transformer). */
export interface ApiUser {
  cookie: string;
  query<T>(path: string, input?: unknown): Promise<T>;
  mutate<T>(path: string, input?: unknown): Promise<T>;
}

async function unwrap<T>(res: Response, path: string): Promise<T> {
  const body = (await res.json()) as { result?: { data: T }; error?: { message: string } };
  if (!res.ok || !body.result) throw new Error(`${path}: ${res.status} ${body.error?.message ?? ''}`);
  return body.result.data;
}

/** Logs in over HTTP (like the customer app would) and returns a caller carrying the session cookie. */
export async function apiLogIn(baseUrl: string, email: string): Promise<ApiUser> {
  const res = await fetch(`${baseUrl}/trpc/auth.logIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  if (!res.ok) throw new Error(`log in ${email}: ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return {
    cookie,
    query: async (path, input) => {
      const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
      return unwrap(await fetch(`${baseUrl}/trpc/${path}${query}`, { headers: { cookie } }), path);
    },
    mutate: async (path, input) =>
      unwrap(
        await fetch(`${baseUrl}/trpc/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify(input ?? null),
        }),
        path,
      ),
  };
}

type Intake = RouterInputs['session']['create']['intake'];
type SessionDetails = RouterOutputs['session']['create'];

/** Books a session as a customer; a free one is signed at once so it is queued. */
export async function book(customer: ApiUser, intake: Partial<Intake> = {}): Promise<SessionDetails> {
  const full: Intake = {
    customerName: 'Dana Reyes',
    vehicleYear: 2019,
    vehicleMake: 'Honda',
    vehicleModel: 'Civic',
    concern: 'Grinding noise from the front left wheel when braking.',
    sessionType: 'video',
    plan: 'paid',
    urgent: false,
    workshopId: null,
    // Asked for in-person and urgent requests; optional for the rest.
    callbackPhone: '+44 20 7946 0958',
    ...intake,
  };
  const session = await customer.mutate<SessionDetails>('session.create', {
    intake: full,
    idempotencyKey: randomUUID(),
    allowAnotherOpen: true,
  });
  if (full.plan !== 'free') return session;
  return customer.mutate<SessionDetails>('waiver.sign', {
    sessionId: session.sessionId,
    signerName: full.customerName,
    consent: true,
    waiverVersion: CURRENT_WAIVER.version,
  });
}

export async function workshopIds(api: ApiUser): Promise<Record<'A' | 'B', string>> {
  const list = await api.query<{ id: string; name: string }[]>('workshop.list');
  const id = (name: string) => {
    const found = list.find((w) => w.name === name);
    if (!found) throw new Error(`no workshop ${name}`);
    return found.id;
  };
  return { A: id('Northside Garage'), B: id('Harbor Auto Works') };
}

export async function queueOf(api: ApiUser): Promise<AssignmentCard[]> {
  return (await api.query<{ items: AssignmentCard[] }>('queue.list')).items;
}

/** Completes every session the mechanic still has accepted, so a failed test cannot leave them at capacity. */
export async function completeAcceptedSessions(mechanic: ApiUser): Promise<void> {
  const { mine } = await mechanic.query<{ mine: AssignmentCard[] }>('queue.list');
  for (const card of mine.filter((c) => c.status === 'accepted')) {
    await mechanic.mutate('assignment.complete', {
      assignmentId: card.assignmentId,
      outcome: 'resolved',
      note: 'Closed between tests.',
    });
  }
}

/**
 * Records desktop notifications the page shows and closes (headless Chromium shows none on screen):
 * `window.__notifications` lists { title, tag, closed }.
 */
export async function recordNotifications(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Original = window.Notification;
    const log: { title: string; tag: string; closed: boolean }[] = [];
    (window as unknown as { __notifications: typeof log }).__notifications = log;
    class Recording extends Original {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        const entry = { title, tag: options?.tag ?? '', closed: false };
        log.push(entry);
        const close = this.close.bind(this);
        this.close = () => {
          entry.closed = true;
          close();
        };
      }
    }
    Object.defineProperty(window, 'Notification', { value: Recording, configurable: true, writable: true });
  });
}

export function notificationsIn(page: Page): Promise<{ title: string; tag: string; closed: boolean }[]> {
  return page.evaluate(
    () =>
      (window as unknown as { __notifications?: { title: string; tag: string; closed: boolean }[] })
        .__notifications ?? [],
  );
}

/** Opens the dashboard and logs in through the form; resolves once the live queue is shown. */
export async function openDashboard(
  context: BrowserContext,
  mechanicUrl: string,
  email: string,
  options: { available?: boolean } = {},
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(mechanicUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('section[aria-label="Queue"], section[aria-labelledby="requests-heading"]').waitFor();
  await expect.poll(() => page.locator('.connection').getAttribute('data-status')).toBe('live');
  // Away and offline mechanics get no alerts and cannot accept: a dashboard test works as an
  // Available mechanic unless it asks otherwise.
  const available = page.getByRole('radio', { name: 'Available' });
  if (options.available !== false && (await available.count()) > 0) {
    if (!(await available.isChecked())) await available.check();
    await expect.poll(() => page.locator('.connection').getAttribute('data-state')).toBe('available');
  }
  return page;
}

function queueSection(page: Page): Locator {
  return page.locator('section[aria-label="Queue"]');
}

export function queueCard(page: Page, assignmentId: string): Locator {
  return queueSection(page).locator(`article[data-assignment-id="${assignmentId}"]`);
}

export function mySessionCard(page: Page, assignmentId: string): Locator {
  return page.locator(`section[aria-label="My sessions"] article[data-assignment-id="${assignmentId}"]`);
}

/** The ids shown in the page's queue, in order. */
export function queueIds(page: Page): Promise<string[]> {
  return queueSection(page)
    .locator('article[data-assignment-id]')
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-assignment-id') ?? ''));
}
