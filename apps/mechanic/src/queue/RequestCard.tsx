import { useId } from 'react';
import { SESSION_TYPE_LABELS, vehicleOf } from '../alerts/describe.ts';
import type { AssignmentCard } from '../api-types.ts';
import { Countdown } from '../time/Countdown.tsx';
import { Elapsed } from '../time/Elapsed.tsx';
import { mechanicActions } from './actions.ts';

interface Props {
  card: AssignmentCard;
  userId: string;
  busy: 'accept' | 'decline' | null;
  onAccept(card: AssignmentCard): void;
  onDecline(card: AssignmentCard): void;
}

/** One request in the queue: what, which vehicle, the concern, urgency, time waiting, and what I can do. */
export function RequestCard({ card, userId, busy, onAccept, onDecline }: Props) {
  const titleId = useId();
  const actions = mechanicActions(card, userId);
  const offer = card.status === 'offered' && card.offerExpiresAt;
  return (
    <article
      className={`request${card.urgent ? ' request--urgent' : ''}${offer ? ' request--offer' : ''}${busy === 'accept' ? ' request--accepting' : ''}`}
      data-assignment-id={card.assignmentId}
      data-status={card.status}
      aria-labelledby={titleId}
    >
      <div className="request__main">
        <h3 id={titleId} className="request__title">
          <span className="request__type">{SESSION_TYPE_LABELS[card.sessionType]}</span>
          <span className="request__vehicle">{vehicleOf(card)}</span>
        </h3>
        <div className="request__tags">
          {card.urgent ? <span className="tag tag--urgent">Urgent</span> : null}
          {offer ? <span className="tag tag--offer">Offered to you</span> : null}
          <span className="tag">{card.plan === 'paid' ? 'Paid' : 'Free'}</span>
          {card.workshop ? (
            <span className="tag">{card.workshop.name}</span>
          ) : card.sessionType === 'in_person' ? (
            <span className="tag">Any workshop</span>
          ) : null}
        </div>
        <p className="request__concern">{card.concern}</p>
        <p className="request__meta">
          <span>{card.customerName}</span>
          <span aria-hidden="true"> · </span>
          <Elapsed since={card.queuedAt ?? card.createdAt} />
        </p>
      </div>
      <div className="request__actions">
        {offer && card.offerExpiresAt ? <Countdown until={card.offerExpiresAt} /> : null}
        {actions.has('accept') ? (
          <button
            type="button"
            className="button button--primary"
            disabled={busy !== null}
            onClick={() => onAccept(card)}
          >
            {busy === 'accept' ? 'Accepting…' : 'Accept'}
          </button>
        ) : null}
        {actions.has('decline') ? (
          <button
            type="button"
            className="button button--secondary"
            disabled={busy !== null}
            onClick={() => onDecline(card)}
          >
            {busy === 'decline' ? 'Declining…' : 'Decline'}
          </button>
        ) : null}
      </div>
    </article>
  );
}
