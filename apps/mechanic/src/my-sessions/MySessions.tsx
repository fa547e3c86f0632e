import type { Completion } from '@dispatch/domain';
import { useId, useMemo } from 'react';
import { SESSION_TYPE_LABELS, vehicleOf } from '../alerts/describe.ts';
import type { AssignmentCard } from '../api-types.ts';
import { VideoCall } from '../call/VideoCall.tsx';
import { CompleteSession } from '../completion/CompleteDialog.tsx';
import {
  CustomerContact,
  FinishedExtras,
  PastSessions,
  useFinished,
} from '../completion/FinishedSession.tsx';
import { mechanicActions } from '../queue/actions.ts';
import { SessionRoom } from '../room/SessionRoom.tsx';

interface Props {
  cards: AssignmentCard[];
  userId: string;
  completing: ReadonlySet<string>;
  onComplete(card: AssignmentCard, completion: Completion): Promise<boolean>;
}

const STATUS_TEXT: Partial<Record<AssignmentCard['status'], string>> = {
  accepted: 'In progress',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

/** The sessions this mechanic accepted: active ones to complete, and recently finished ones. */
export function MySessions({ cards, userId, completing, onComplete }: Props) {
  const active = cards.filter((card) => card.status === 'accepted').length;
  const done = cards.filter((card) => card.status === 'completed');
  const finished = useFinished(done.map((card) => card.assignmentId).join(',')).data;
  const shown = useMemo(() => new Set(done.map((card) => card.sessionId)), [done]);
  return (
    <section aria-label="My sessions" className="panel panel--mine">
      <header className="panel__header">
        <h2>
          My sessions{' '}
          <span className="count" data-testid="my-sessions-count">
            {cards.length}
            <span className="visually-hidden"> listed</span>
          </span>
        </h2>
        {cards.length > 0 ? (
          <p className="panel__hint" data-testid="my-sessions-active">
            {active === 0 ? 'None in progress' : `${active} in progress`}
          </p>
        ) : null}
      </header>
      {cards.length === 0 ? (
        <div className="empty">
          <p className="empty__title">No sessions yet.</p>
          <p className="muted">Requests you accept move here.</p>
        </div>
      ) : (
        <div className="session-list">
          {cards.map((card) => (
            <SessionCard
              key={card.assignmentId}
              card={card}
              userId={userId}
              completing={completing.has(card.assignmentId)}
              onComplete={onComplete}
              finished={finished}
            />
          ))}
        </div>
      )}
      <PastSessions finished={finished} shown={shown} />
    </section>
  );
}

function SessionCard({
  card,
  userId,
  completing,
  onComplete,
  finished,
}: {
  card: AssignmentCard;
  userId: string;
  completing: boolean;
  onComplete(card: AssignmentCard, completion: Completion): Promise<boolean>;
  finished: Parameters<typeof FinishedExtras>[0]['finished'];
}) {
  const titleId = useId();
  const actions = mechanicActions(card, userId);
  return (
    <article
      className={`session session--${card.status}`}
      data-assignment-id={card.assignmentId}
      data-status={card.status}
      aria-labelledby={titleId}
    >
      <div className="session__head">
        <h3 id={titleId} className="request__title">
          <span className="request__type">{SESSION_TYPE_LABELS[card.sessionType]}</span>
          <span className="request__vehicle">{vehicleOf(card)}</span>
        </h3>
        <span className={`status status--${card.status}`}>{STATUS_TEXT[card.status] ?? card.status}</span>
      </div>
      <p className="request__meta">
        {card.customerName}
        {card.workshop ? ` · ${card.workshop.name}` : ''}
      </p>
      <p className="request__concern request__concern--short">{card.concern}</p>
      {card.status === 'cancelled' ? (
        <p className="session__reason">
          <strong>Cancelled:</strong> {card.cancelReason ?? 'no reason given'}
        </p>
      ) : null}
      <CustomerContact card={card} />
      {card.status === 'completed' ? <FinishedExtras card={card} finished={finished} /> : null}
      {card.status === 'accepted' && card.sessionType === 'video' ? (
        <VideoCall sessionId={card.sessionId} customerName={card.customerName} />
      ) : null}
      {card.status !== 'cancelled' || card.mechanic ? (
        <SessionRoom sessionId={card.sessionId} active={card.status === 'accepted'} />
      ) : null}
      {actions.has('complete') ? (
        <CompleteSession card={card} completing={completing} onComplete={onComplete} />
      ) : null}
    </article>
  );
}
