import { errorMessage, useConnection, useTRPC, useTRPCClient } from '@dispatch/web';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { keyBytes, pushSupport, registerServiceWorker } from './service-worker.ts';

/** A focused dashboard renews its "no push to this device" lease this often (the lease is 45 s). */
const FOCUS_RENEW_MS = 20_000;

export interface PushState {
  support: ReturnType<typeof pushSupport>['kind'];
  permission: NotificationPermission | 'unsupported';
  /** This browser's subscription endpoint, when it has one. */
  endpoint: string | null;
  busy: boolean;
  error: string | null;
  enable(): void;
  disable(): void;
}

/**
 * This device's Web Push: registers the service worker on load, subscribes only after the
 * mechanic's explicit click, and while the dashboard is focused and live tells the server so
 * (the device then gets no push: the page alerts by itself).
 */
export function usePush(): PushState {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [registration, setRegistration] = useState<ServiceWorkerRegistration | null>(null);
  const [endpoint, setEndpoint] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [permission, setPermission] = useState<PushState['permission']>(() =>
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );
  const support = pushSupport().kind;
  const publicKey = useQuery({ ...trpc.push.publicKey.queryOptions(), staleTime: Number.POSITIVE_INFINITY });

  useEffect(() => {
    let cancelled = false;
    void registerServiceWorker().then(async (reg) => {
      if (cancelled || !reg) return;
      setRegistration(reg);
      const existing = await reg.pushManager?.getSubscription().catch(() => null);
      if (!cancelled) setEndpoint(existing?.endpoint ?? null);
    });
    return () => {
      cancelled = true;
    };
  }, []);

  const devicesKey = trpc.push.devices.queryKey();
  const enable = useCallback(() => {
    if (!registration || !publicKey.data) return;
    setBusy(true);
    setError(null);
    void (async () => {
      try {
        const granted = await Notification.requestPermission();
        setPermission(granted);
        if (granted !== 'granted')
          throw new Error('Notifications are blocked for this site in the browser settings.');
        const subscription = await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(publicKey.data.publicKey),
        });
        const json = subscription.toJSON();
        if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth)
          throw new Error('The browser gave no push keys.');
        await client.push.subscribe.mutate({
          endpoint: json.endpoint,
          keys: { p256dh: json.keys.p256dh, auth: json.keys.auth },
        });
        setEndpoint(json.endpoint);
      } catch (cause) {
        setError(errorMessage(cause));
      } finally {
        setBusy(false);
        void queryClient.invalidateQueries({ queryKey: devicesKey });
      }
    })();
  }, [registration, publicKey.data, client, queryClient, devicesKey]);

  const disable = useCallback(() => {
    if (!registration) return;
    setBusy(true);
    void (async () => {
      try {
        const subscription = await registration.pushManager.getSubscription();
        if (subscription) {
          await client.push.unsubscribe.mutate({ endpoint: subscription.endpoint });
          await subscription.unsubscribe();
        }
        setEndpoint(null);
      } catch (cause) {
        setError(errorMessage(cause));
      } finally {
        setBusy(false);
        void queryClient.invalidateQueries({ queryKey: devicesKey });
      }
    })();
  }, [registration, client, queryClient, devicesKey]);

  // Focused and live: no push to this device. Blurred, hidden or closed: the lease runs out.
  const { status } = useConnection();
  useEffect(() => {
    if (!endpoint) return;
    let focused: boolean | null = null;
    const report = (force = false) => {
      const now = document.visibilityState === 'visible' && document.hasFocus() && status === 'live';
      if (!force && now === focused) return;
      focused = now;
      void client.push.focus.mutate({ endpoint, focused: now }).catch(() => undefined);
    };
    report(true);
    const onChange = () => report();
    window.addEventListener('focus', onChange);
    window.addEventListener('blur', onChange);
    document.addEventListener('visibilitychange', onChange);
    const timer = setInterval(() => focused && report(true), FOCUS_RENEW_MS);
    // Closing the tab hands alerts back to push at once, not when the lease runs out.
    const leave = () =>
      void fetch(`${window.location.origin}/trpc/push.focus`, {
        method: 'POST',
        keepalive: true,
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ endpoint, focused: false }),
      }).catch(() => undefined);
    window.addEventListener('pagehide', leave);
    return () => {
      window.removeEventListener('pagehide', leave);
      clearInterval(timer);
      window.removeEventListener('focus', onChange);
      window.removeEventListener('blur', onChange);
      document.removeEventListener('visibilitychange', onChange);
    };
  }, [endpoint, status, client]);

  return { support, permission, endpoint, busy, error, enable, disable };
}
