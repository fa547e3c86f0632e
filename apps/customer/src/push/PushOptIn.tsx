import { errorMessage, useTRPCClient } from '@dispatch/web';
import { useEffect, useState } from 'react';

/**
 * "Tell me when a mechanic accepts": with the customer's permission (an explicit click), this
 * device gets pushes for "Accepted by …", "No mechanic available" and "Completed", so they may
 * leave the status page. Self-contained: it uses the site's alerts service worker
 * (/mechanic/sw.js, which shows `notice` pushes and opens their link) and the `push` router.
 * Mount it on the status page while the request is open: <PushOptIn />.
 */
const WORKER = '/mechanic/sw.js';
const WORKER_SCOPE = '/mechanic/';

type State = 'checking' | 'unsupported' | 'needs-install' | 'off' | 'on' | 'blocked';

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function supported(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

export function PushOptIn() {
  const client = useTRPCClient();
  const [state, setState] = useState<State>('checking');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!supported()) {
      setState(/iPhone|iPad|iPod/.test(navigator.userAgent) ? 'needs-install' : 'unsupported');
      return;
    }
    if (Notification.permission === 'denied') {
      setState('blocked');
      return;
    }
    void navigator.serviceWorker
      .getRegistration(WORKER_SCOPE)
      .then((registration) => registration?.pushManager.getSubscription() ?? null)
      .then((subscription) => setState(subscription ? 'on' : 'off'))
      .catch(() => setState('off'));
  }, []);

  const enable = async () => {
    setBusy(true);
    setError(null);
    try {
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') {
        setState('blocked');
        return;
      }
      const registration = await navigator.serviceWorker.register(WORKER, { scope: WORKER_SCOPE });
      await navigator.serviceWorker.ready;
      const { publicKey } = await client.push.publicKey.query();
      const subscription =
        (await registration.pushManager.getSubscription()) ??
        (await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(publicKey),
        }));
      const json = subscription.toJSON();
      if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth)
        throw new Error('This browser gave no push keys.');
      await client.push.subscribe.mutate({
        endpoint: json.endpoint,
        keys: { p256dh: json.keys.p256dh, auth: json.keys.auth },
      });
      setState('on');
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  };

  if (state === 'checking' || state === 'unsupported') return null;
  return (
    <div className="push-opt-in" data-state={state}>
      {state === 'on' ? (
        <p>
          We will notify this device when a mechanic accepts, if nobody is available, and when it is done. You
          can leave this page.
        </p>
      ) : state === 'blocked' ? (
        <p>Notifications are blocked for this site in your browser settings, so keep this page open.</p>
      ) : state === 'needs-install' ? (
        <p>On iPhone: tap Share, then “Add to Home Screen”, and open the app from there to get notified.</p>
      ) : (
        <button
          type="button"
          className="button button--secondary"
          onClick={() => void enable()}
          disabled={busy}
        >
          {busy ? 'Turning on…' : 'Notify me when a mechanic accepts'}
        </button>
      )}
      {error ? (
        <p role="alert" className="form-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
