import { useNow } from '@dispatch/web';

function formatCountdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1_000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** A visible per-second countdown to an offer's end (aria-hidden: screen readers hear the expiry once). */
export function Countdown({ until }: { until: string }) {
  useNow(1_000); // re-render once a second; read the exact time so the count never shows a second too many
  const left = Date.parse(until) - Date.now();
  return (
    <span className={`countdown${left <= 10_000 ? ' countdown--soon' : ''}`} data-testid="countdown">
      <span className="visually-hidden">Offer expires in </span>
      {left > 0 ? (
        <>
          {formatCountdown(left)}
          {/* Said, not only coloured: a bare "0:03" reads as a time of day. */}
          <span aria-hidden="true"> left</span>
        </>
      ) : (
        'expired'
      )}
    </span>
  );
}
