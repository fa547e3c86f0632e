import { clockTimeWithSeconds, useConnection } from '@dispatch/web';

/**
 * A quiet, honest line while the server cannot be reached or the live stream is down: the page
 * keeps what it last knew and says since when, never an error page in place of that data.
 */
export function OutageNote({
  unreachableSince,
  updatedAt,
  streamDown = false,
}: {
  /** Since when the server has not answered, or null. */
  unreachableSince: number | null;
  /** When the data on screen was last confirmed (0: never). */
  updatedAt: number;
  /** The live stream is down but the server answers polls. */
  streamDown?: boolean;
}) {
  const { status } = useConnection();
  if (status === 'offline') {
    return (
      <p className="connection-note" data-outage="offline">
        You are offline
        {unreachableSince ? ` since ${clockTimeWithSeconds(unreachableSince)}` : ''}
        {updatedAt ? `, showing what we last knew at ${clockTimeWithSeconds(updatedAt)}` : ''}. This page
        catches up by itself when you are back online.
      </p>
    );
  }
  if (unreachableSince !== null) {
    return (
      <p className="connection-note" data-outage="unreachable">
        Offline since {clockTimeWithSeconds(unreachableSince)}
        {updatedAt ? ', showing what we last knew' : ''}. We keep trying, and this page updates by itself when
        our server answers again.
      </p>
    );
  }
  if (streamDown) {
    return (
      <p className="connection-note" data-outage="polling">
        The live connection dropped; we are reconnecting and checking every few seconds meanwhile
        {updatedAt ? ` (last checked ${clockTimeWithSeconds(updatedAt)})` : ''}.
      </p>
    );
  }
  return null;
}
