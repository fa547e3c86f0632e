import { dayAndTime, useNow } from '@dispatch/web';

function formatWaiting(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

/** "waiting 3 min", refreshed every 15 s by the shared clock. */
export function Elapsed({ since, prefix = 'waiting' }: { since: string; prefix?: string }) {
  const now = useNow(15_000);
  const ms = Math.max(0, now - Date.parse(since));
  const text = formatWaiting(ms);
  return (
    <time dateTime={since} title={dayAndTime(since)}>
      {text === 'just now' ? `${prefix} under a minute` : `${prefix} ${text}`}
    </time>
  );
}
