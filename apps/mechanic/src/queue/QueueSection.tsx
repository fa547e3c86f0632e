import { errorMessage, useConnection } from '@dispatch/web';
import type { AssignmentCard } from '../api-types.ts';
import { useDisplayReceipts } from '../receipts/useDisplayReceipts.ts';
import { byUrgencyThenAge } from './queue-state.ts';
import { RequestCard } from './RequestCard.tsx';
import type { Ghost } from './useGhosts.ts';
import type { QueueFeed } from './useQueueFeed.ts';

interface Props {
  feed: QueueFeed;
  cards: AssignmentCard[];
  userId: string;
  busy: ReadonlyMap<string, 'accept' | 'decline'>;
  away: boolean;
  unseen: ReadonlySet<string>;
  onSeen(assignmentId: string): void;
  /** Why nothing can be taken now (away, offline), or null. */
  blocked: string | null;
  /** Why this card in particular cannot be taken now (at capacity for its type), or null. */
  blockedFor?: (card: AssignmentCard) => string | null;
  unblock: { label: string; run(): void; pending: boolean } | null;
  /** Requests that just left, kept in place for a beat. */
  ghosts?: readonly Ghost[];
  onAccept(card: AssignmentCard): void;
  onDecline(card: AssignmentCard): void;
}

export function QueueSection({
  feed,
  cards,
  userId,
  busy,
  away,
  unseen,
  onSeen,
  blocked,
  blockedFor,
  unblock,
  ghosts = [],
  onAccept,
  onDecline,
}: Props) {
  useDisplayReceipts(cards);
  const shown = new Set(cards.map((card) => card.assignmentId));
  const rows = [
    ...cards.map((card) => ({ card, ghost: null as string | null })),
    ...ghosts.filter((g) => !shown.has(g.card.assignmentId)).map((g) => ({ card: g.card, ghost: g.text })),
  ].sort((a, b) => byUrgencyThenAge(a.card, b.card));
  const targeted = feed.dispatchMode === 'targeted';
  // The connection pill already announces changes; this line says what it means for the queue.
  const { status } = useConnection();
  return (
    <section aria-label="Queue" className="panel panel--queue">
      <header className="panel__header">
        <h2>
          Queue <span className="count">{feed.status === 'ready' ? cards.length : ''}</span>
        </h2>
        <p className="panel__hint">
          {targeted
            ? 'Requests are offered to one mechanic at a time.'
            : 'Urgent first, then the longest waiting.'}
        </p>
      </header>
      {status === 'offline' ? (
        <p className="stream-warning">You are offline. The queue catches up as soon as you are back.</p>
      ) : status === 'reconnecting' || feed.streamFailed ? (
        <p className="stream-warning">
          Live updates paused, reconnecting. Checking the queue every 5 seconds.
        </p>
      ) : null}
      {feed.status === 'loading' ? (
        <p className="empty" aria-busy="true">
          Loading the queue…
        </p>
      ) : feed.status === 'error' ? (
        <div className="empty empty--error" role="alert">
          <p>Could not load the queue: {errorMessage(feed.error)}</p>
          <button type="button" className="button button--secondary" onClick={feed.refetch}>
            Try again
          </button>
        </div>
      ) : rows.length === 0 ? (
        <div className="empty">
          <p className="empty__title">No requests waiting.</p>
          <p className="muted">
            {away
              ? 'You are away. Switch to Available to get requests and alerts.'
              : targeted
                ? 'When a request is offered to you it appears here, with a countdown.'
                : 'New requests appear here the moment they are queued, with an alert.'}
          </p>
        </div>
      ) : (
        <div className="request-list">
          {rows.map(({ card, ghost }) => (
            <RequestCard
              key={card.assignmentId}
              card={card}
              userId={userId}
              busy={ghost ? null : (busy.get(card.assignmentId) ?? null)}
              onAccept={onAccept}
              onDecline={onDecline}
              isNew={!ghost && unseen.has(card.assignmentId)}
              onSeen={onSeen}
              blocked={blocked ?? blockedFor?.(card) ?? null}
              unblock={blocked ? unblock : null}
              ghost={ghost}
            />
          ))}
        </div>
      )}
    </section>
  );
}
