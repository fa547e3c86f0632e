import { errorMessage, useTRPC } from '@dispatch/web';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { SESSION_TYPE_LABELS, vehicleOf } from '../alerts/describe.ts';
import type { AssignmentCard } from '../api-types.ts';
import type { QueueFeed } from '../queue/useQueueFeed.ts';
import { Elapsed } from '../time/Elapsed.tsx';

const STATUS_TEXT: Record<AssignmentCard['status'], string> = {
  pending_waiver: 'Waiting for waiver',
  queued: 'Queued',
  offered: 'Offered',
  declined: 'Declined',
  expired: 'Offer expired',
  accepted: 'Accepted',
  cancelled: 'Cancelled',
  completed: 'Completed',
};

/** Admins see every request, live, and for any of them the full event trail: who did what, when, why. */
export function AdminBoard({ feed, cards }: { feed: QueueFeed; cards: AssignmentCard[] }) {
  const [selected, setSelected] = useState<AssignmentCard | null>(null);
  const current = selected ? (feed.cards.get(selected.assignmentId) ?? selected) : null;
  return (
    <div className="admin">
      <section aria-label="All requests" className="panel">
        <header className="panel__header">
          <h2>
            All requests <span className="count">{feed.status === 'ready' ? cards.length : ''}</span>
          </h2>
          <p className="panel__hint">Open requests first. Choose one to see its event trail.</p>
        </header>
        {feed.status === 'loading' ? (
          <p className="empty">Loading requests…</p>
        ) : feed.status === 'error' ? (
          <p className="empty empty--error" role="alert">
            Could not load requests: {errorMessage(feed.error)}
          </p>
        ) : cards.length === 0 ? (
          <p className="empty">No requests in the last day.</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col">Request</th>
                  <th scope="col">Customer</th>
                  <th scope="col">Workshop</th>
                  <th scope="col">Mechanic</th>
                  <th scope="col">Age</th>
                  <th scope="col">
                    <span className="visually-hidden">Trail</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {cards.map((card) => (
                  <tr
                    key={card.assignmentId}
                    data-assignment-id={card.assignmentId}
                    aria-selected={current?.assignmentId === card.assignmentId}
                  >
                    <td>
                      <span className={`status status--${card.status}`}>{STATUS_TEXT[card.status]}</span>
                    </td>
                    <td>
                      {card.urgent ? <span className="tag tag--urgent">Urgent</span> : null}{' '}
                      {SESSION_TYPE_LABELS[card.sessionType]} · {vehicleOf(card)}
                    </td>
                    <td>{card.customerName}</td>
                    <td>{card.workshop?.name ?? (card.sessionType === 'in_person' ? 'Any' : '—')}</td>
                    <td>{card.mechanic?.displayName ?? '—'}</td>
                    <td>
                      <Elapsed since={card.createdAt} prefix="" />
                    </td>
                    <td>
                      <button
                        type="button"
                        className="button button--quiet"
                        onClick={() => setSelected(card)}
                      >
                        Event trail<span className="visually-hidden"> for {vehicleOf(card)}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {current ? <TrailPanel card={current} onClose={() => setSelected(null)} /> : null}
    </div>
  );
}

function TrailPanel({ card, onClose }: { card: AssignmentCard; onClose(): void }) {
  const trpc = useTRPC();
  // Re-read when the card changes version: the trail grows with every event.
  const trail = useQuery(trpc.admin.trail.queryOptions({ sessionId: card.sessionId }));
  const { refetch } = trail;
  useEffect(() => {
    if (card.version > 0) void refetch();
  }, [card.version, refetch]);
  return (
    <section aria-label="Event trail" className="panel panel--trail">
      <header className="panel__header">
        <h2>
          Event trail: {SESSION_TYPE_LABELS[card.sessionType]} · {vehicleOf(card)}
        </h2>
        <button type="button" className="button button--quiet" onClick={onClose}>
          Close
        </button>
      </header>
      <p className="muted">
        Now <strong>{STATUS_TEXT[card.status]}</strong>
        {card.cancelReason ? ` — ${card.cancelReason}` : ''}. Session {card.sessionId}
      </p>
      {trail.isPending ? (
        <p className="empty">Loading the trail…</p>
      ) : trail.isError ? (
        <p className="empty empty--error" role="alert">
          {errorMessage(trail.error)}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table trail">
            <caption className="visually-hidden">Every event of this session, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">By</th>
                <th scope="col">Reason</th>
                <th scope="col">Request id</th>
              </tr>
            </thead>
            <tbody>
              {trail.data.map((event) => (
                <tr key={event.position} className="trail__event">
                  <td>
                    <time dateTime={event.at}>{new Date(event.at).toLocaleTimeString()}</time>
                  </td>
                  <td>
                    <strong>{event.type.replace('_', ' ')}</strong>
                    {event.type === 'offer' && event.mechanicName ? ` to ${event.mechanicName}` : ''}
                  </td>
                  <td>
                    {event.fromStatus ? `${event.fromStatus} → ` : ''}
                    {event.toStatus}
                  </td>
                  <td>
                    {event.actorKind}
                    {event.actorName ? ` ${event.actorName}` : ''}
                  </td>
                  <td className="trail__why">{event.reason ?? ''}</td>
                  <td>
                    <code className="trail__request">{event.requestId ?? ''}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
