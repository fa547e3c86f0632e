/** The dashboard's service worker (public/sw.js): installability and push alerts while closed. */
export function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!('serviceWorker' in navigator)) return Promise.resolve(null);
  const base = import.meta.env.BASE_URL;
  return navigator.serviceWorker.register(`${base}sw.js`, { scope: base }).catch(() => null);
}

export type PushSupport =
  | { kind: 'supported' }
  /** iPhone/iPad Safari: Web Push works only in the app added to the Home Screen. */
  | { kind: 'needs-install' }
  | { kind: 'unsupported' };

export function pushSupport(): PushSupport {
  const standalone =
    window.matchMedia?.('(display-mode: standalone)').matches ||
    (navigator as Navigator & { standalone?: boolean }).standalone === true;
  const ios = /iPhone|iPad|iPod/.test(navigator.userAgent);
  if ('serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window)
    return { kind: 'supported' };
  if (ios && !standalone) return { kind: 'needs-install' };
  return { kind: 'unsupported' };
}

export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const raw = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes;
}
