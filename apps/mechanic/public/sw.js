// The mechanic dashboard's service worker (scope /mechanic/): it makes the dashboard installable
// and shows Web Push alerts while no dashboard is open. Pushes carry JSON (see
// packages/api/src/alerts/plan.ts, PushPayload):
//   { kind: 'alert', tag, assignmentId, sessionId, version, title, body, actionableUntil, offered }
//   { kind: 'retract', tag, assignmentId, reason }   closes that request's notification
//   { kind: 'notice', tag, title, body, url }
// Plain JavaScript, served as is: no build step, no imports.

const SCOPE = self.registration.scope; // e.g. https://host/mechanic/
const API = new URL('../trpc/', SCOPE).href;

const OUTCOME = {
  CONFLICT: 'Taken by another mechanic',
  NOT_FOUND: 'No longer available',
};
const REFUSAL = {
  not_available: 'You are away: go available in the dashboard to accept',
  at_capacity: 'You already have a live session',
};

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// A network-first fetch handler is what makes the app installable in every browser; it never
// serves stale API data (only the app shell falls back to the cache when offline).
const SHELL = 'mechanic-shell-v1';
self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !request.url.startsWith(SCOPE) || request.mode !== 'navigate') return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        const copy = response.clone();
        void caches.open(SHELL).then((cache) => cache.put(SCOPE, copy));
        return response;
      })
      .catch(() => caches.match(SCOPE).then((cached) => cached ?? Response.error())),
  );
});

/** Closes the request's alert (not an outcome shown after Accept from the notification). */
async function closeTag(tag) {
  const open = await self.registration.getNotifications({ tag });
  const alerts = open.filter((notification) => notification.data?.kind === 'alert');
  for (const notification of alerts) notification.close();
  return alerts.length;
}

/** Handles one push message's JSON; exposed on `self` so tests can drive it too. */
async function handlePush(payload) {
  if (!payload || typeof payload !== 'object') return;
  if (payload.kind === 'retract') {
    await closeTag(payload.tag);
    await setBadge(-1);
    return;
  }
  if (payload.kind === 'alert') {
    // Arrived after its window (a device that was off): nothing to act on any more.
    if (typeof payload.actionableUntil === 'number' && Date.now() > payload.actionableUntil) return;
    await self.registration.showNotification(payload.title, {
      body: payload.body,
      tag: payload.tag,
      renotify: true,
      requireInteraction: true,
      icon: new URL('icons/icon-192.png', SCOPE).href,
      badge: new URL('icons/icon-192.png', SCOPE).href,
      timestamp: Date.now(),
      actions: [
        { action: 'accept', title: 'Accept' },
        { action: 'open', title: 'Open' },
      ],
      data: {
        kind: 'alert',
        assignmentId: payload.assignmentId,
        sessionId: payload.sessionId,
        version: payload.version,
        url: SCOPE,
      },
    });
    await setBadge(1);
    await receipt(payload, 'push_shown');
    return;
  }
  if (payload.kind === 'notice') {
    await self.registration.showNotification(payload.title, {
      body: payload.body,
      tag: payload.tag,
      icon: new URL('icons/icon-192.png', SCOPE).href,
      data: { kind: 'notice', url: new URL(payload.url ?? SCOPE, SCOPE).href },
    });
  }
}

async function setBadge(delta) {
  if (!('setAppBadge' in navigator)) return;
  const open = await self.registration.getNotifications();
  const alerts = open.filter((n) => n.data?.kind === 'alert').length;
  try {
    if (alerts > 0) await navigator.setAppBadge(alerts);
    else if (delta <= 0) await navigator.clearAppBadge();
  } catch {
    // Badging is a nicety.
  }
}

async function call(path, input) {
  const response = await fetch(`${API}${path}`, {
    method: 'POST',
    credentials: 'include',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input ?? null),
  });
  const body = await response.json().catch(() => null);
  if (response.ok) return { ok: true, data: body?.result?.data ?? null };
  const data = body?.error?.data ?? {};
  return {
    ok: false,
    code: data.code ?? `HTTP_${response.status}`,
    refusal: data.refusal ?? null,
    message: body?.error?.message ?? '',
  };
}

/**
 * A delivery receipt for "who could see this?" (ids and a version only). Best effort: an alert is
 * shown and a click handled whether or not the receipt gets through.
 */
async function receipt(alert, channel) {
  if (typeof alert.sessionId !== 'string') return;
  const version = Number.isInteger(alert.version) ? alert.version : null;
  try {
    await call('receipts.report', { items: [{ sessionId: alert.sessionId, version, channel, ageMs: 0 }] });
  } catch {
    // Offline or signed out: the alert matters, its receipt does not.
  }
}

async function openDashboard(url) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const existing = windows.find((client) => client.url.startsWith(SCOPE));
  if (existing) return existing.focus();
  return self.clients.openWindow(url ?? SCOPE);
}

/**
 * Accept from the notification: the mechanic acted, so they are present (mechanic.touch), then
 * the accept itself; the outcome replaces the notification. "Open" (or a click on the body)
 * opens or focuses the dashboard. Exposed on `self` so tests can drive it.
 */
async function handleNotificationClick(notification, action) {
  const data = notification.data ?? {};
  // The click's receipt goes alongside, never ahead of, the accept.
  const clicked = data.kind === 'alert' ? receipt(data, 'push_clicked') : Promise.resolve();
  const result = await actOnClick(notification, action);
  await clicked;
  return result;
}

async function actOnClick(notification, action) {
  const data = notification.data ?? {};
  notification.close();
  if (data.kind === 'alert' && action === 'accept') {
    await call('mechanic.touch');
    const result = await call('assignment.accept', { assignmentId: data.assignmentId });
    const title = result.ok
      ? `You accepted — ${notification.title.replace(/^(New request|Offered to you) — /, '')}`
      : (REFUSAL[result.refusal] ?? OUTCOME[result.code] ?? `Could not accept: ${result.message}`);
    await self.registration.showNotification(title, {
      body: result.ok ? 'Open the dashboard to start the session.' : notification.body,
      tag: notification.tag,
      icon: new URL('icons/icon-192.png', SCOPE).href,
      data: { kind: 'outcome', accepted: result.ok, assignmentId: data.assignmentId, url: SCOPE },
    });
    await setBadge(-1);
    return result;
  }
  await setBadge(-1);
  if (data.kind === 'notice' && data.url && !data.url.startsWith(SCOPE)) {
    // A customer's notice: open (or focus) their status page, not the dashboard.
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((client) => client.url === data.url);
    if (open) await open.focus();
    else await self.clients.openWindow(data.url);
    return null;
  }
  await openDashboard(data.url);
  return null;
}

self.handlePush = handlePush;
self.handleNotificationClick = handleNotificationClick;

self.addEventListener('push', (event) => {
  let payload = null;
  try {
    payload = event.data ? event.data.json() : null;
  } catch {
    payload = null;
  }
  event.waitUntil(handlePush(payload));
});

self.addEventListener('notificationclick', (event) => {
  event.waitUntil(handleNotificationClick(event.notification, event.action));
});

// The browser rotated the subscription: store the new one (the old endpoint now answers 410).
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil(
    (async () => {
      const keyResult = await fetch(`${API}push.publicKey`, { credentials: 'include' }).then((r) => r.json());
      const key = keyResult?.result?.data?.publicKey;
      if (!key) return;
      const padded = key.replace(/-/g, '+').replace(/_/g, '/');
      const bytes = Uint8Array.from(atob(padded + '='.repeat((4 - (padded.length % 4)) % 4)), (c) =>
        c.charCodeAt(0),
      );
      const subscription = await self.registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: bytes,
      });
      const json = subscription.toJSON();
      await call('push.subscribe', { endpoint: json.endpoint, keys: json.keys });
    })(),
  );
});
