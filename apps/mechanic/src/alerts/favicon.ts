/**
 * The dashboard's favicon with the unread count drawn on it, so a background tab (and a pinned
 * one, whose title is hidden) still shows that work is waiting. Zero restores the plain icon.
 */
const PLAIN_ICON = `${import.meta.env.BASE_URL}favicon.svg`;

function drawBadge(count: number): string | null {
  if (count <= 0) return null;
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 64;
  const g = canvas.getContext('2d');
  if (!g) return null;
  // The base icon: a blue rounded square with a white wrench-like bar (same as favicon.svg).
  g.fillStyle = '#1d5bbf';
  g.beginPath();
  g.roundRect(0, 0, 64, 64, 14);
  g.fill();
  g.fillStyle = '#ffffff';
  g.fillRect(14, 28, 36, 8);
  g.beginPath();
  g.arc(16, 32, 10, 0, Math.PI * 2);
  g.fill();
  // The badge.
  g.fillStyle = '#c62828';
  g.beginPath();
  g.arc(44, 20, 20, 0, Math.PI * 2);
  g.fill();
  g.fillStyle = '#ffffff';
  g.font = 'bold 26px sans-serif';
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillText(count > 9 ? '9+' : String(count), 44, 21);
  return canvas.toDataURL('image/png');
}

export function setFaviconBadge(count: number): void {
  let link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!link) {
    link = document.createElement('link');
    link.rel = 'icon';
    document.head.append(link);
  }
  const badge = drawBadge(count);
  link.type = badge ? 'image/png' : 'image/svg+xml';
  link.href = badge ?? PLAIN_ICON;
  link.dataset.unread = String(Math.max(0, count));
  // The installed app's icon badge (Chrome, Edge, Safari on macOS and iOS Home Screen apps).
  const nav = navigator as Navigator & {
    setAppBadge?(n?: number): Promise<void>;
    clearAppBadge?(): Promise<void>;
  };
  if (count > 0) void nav.setAppBadge?.(count).catch(() => undefined);
  else void nav.clearAppBadge?.().catch(() => undefined);
}
