import { useCallback, useId, useRef } from 'react';
import { SESSION_TYPE_LABELS, vehicleOf } from '../alerts/describe.ts';
import type { AssignmentCard } from '../api-types.ts';
import { Countdown } from '../time/Countdown.tsx';
import { Elapsed } from '../time/Elapsed.tsx';
import { mechanicActions } from './actions.ts';
import { useSeen } from './useSeen.ts';

interface Props {
  card: AssignmentCard;
  userId: string;
  busy: 'accept' | 'decline' | null;
  onAccept(card: AssignmentCard): void;
  onDecline(card: AssignmentCard): void;
  /** Arrived while the mechanic could take it and not seen yet: marked "New". */
  isNew?: boolean;
  onSeen?(assignmentId: string): void;
  /** Why it cannot be taken now (away, offline): the card is greyed and Accept becomes `unblock`. */
  blocked?: string | null;
  unblock?: { label: string; run(): void; pending: boolean } | null;
  /** It just left the queue ("Taken by another mechanic"): same place and size, nothing to press. */
  ghost?: string | null;
}

/** One request in the queue: what, which vehicle, the concern, urgency, time waiting, and what I can do. */
export function RequestCard({
  card,
  userId,
  busy,
  onAccept,
  onDecline,
  isNew = false,
  onSeen,
  blocked = null,
  unblock = null,
  ghost = null,
}: Props) {
  const titleId = useId();
  const ref = useRef<HTMLElement>(null);
  const actions = blocked || ghost ? new Set<string>() : mechanicActions(card, userId);
  const offer = card.status === 'offered' && card.offerExpiresAt;
  const { assignmentId } = card;
  const seen = useCallback(() => onSeen?.(assignmentId), [onSeen, assignmentId]);
  useSeen(ref, isNew && !blocked && !ghost, seen);
  return (
    <article
      ref={ref}
      className={`request${card.urgent ? ' request--urgent' : ''}${offer ? ' request--offer' : ''}${busy === 'accept' ? ' request--accepting' : ''}${isNew && !ghost ? ' request--new' : ''}${blocked && !ghost ? ' request--blocked' : ''}${ghost ? ' request--ghost' : ''}`}
      data-assignment-id={ghost ? undefined : card.assignmentId}
      data-ghost-id={ghost ? card.assignmentId : undefined}
      data-status={card.status}
      data-new={isNew && !ghost ? 'true' : undefined}
      data-blocked={blocked && !ghost ? 'true' : undefined}
      aria-labelledby={titleId}
    >
      <div className="request__main">
        <h3 id={titleId} className="request__title">
          <span className="request__type">{SESSION_TYPE_LABELS[card.sessionType]}</span>
          <span className="request__vehicle">{vehicleOf(card)}</span>
        </h3>
        <div className="request__tags">
          {isNew && !ghost ? <span className="tag tag--new">New</span> : null}
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
        {offer && !ghost && card.offerExpiresAt ? <Countdown until={card.offerExpiresAt} /> : null}
        {ghost ? <p className="request__blocked">{ghost}</p> : null}
        {blocked && !ghost ? <p className="request__blocked">{blocked}</p> : null}
        {blocked && !ghost && unblock ? (
          <button
            type="button"
            className="button button--secondary"
            disabled={unblock.pending}
            onClick={unblock.run}
          >
            {unblock.label}
          </button>
        ) : null}
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
