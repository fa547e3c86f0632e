import type { RouterOutputs } from '@dispatch/api/client-types';
import { OUTCOME_LABELS, SESSION_TYPE_LABELS } from '@dispatch/domain';
import { dayAndTime, errorMessage, useTRPC } from '@dispatch/web';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId } from 'react';
import type { AssignmentCard } from '../api-types.ts';
import './completion.css';
import { useDialogOpener, useModal } from './modal.ts';

type Finished = RouterOutputs['mechanic']['finished'];
type FinishedRow = Finished['sessions'][number];

/** Customers rate soon after the session ends: while one finished lately is unrated, re-read often. */
const AWAITING_RATING_MS = 60 * 60_000;
const RATING_POLL_MS = 10_000;
const IDLE_POLL_MS = 60_000;

/** How often to re-read the finished list: often only while a recent session still awaits its rating. */
export function finishedPollMs(finished: Finished | undefined, now: number): number {
  const awaiting = finished?.sessions.some(
    (s) => !s.rating && s.completedAt !== null && now - Date.parse(s.completedAt) < AWAITING_RATING_MS,
  );
  return awaiting ? RATING_POLL_MS : IDLE_POLL_MS;
}

/**
 * The mechanic's finished sessions with their ratings: one query, re-read as sessions finish, when
 * the window regains focus, and on a timer (no event tells the dashboard a rating came in).
 */
export function useFinished(changeKey: string) {
  const trpc = useTRPC();
  const query = useQuery({
    ...trpc.mechanic.finished.queryOptions(),
    refetchInterval: (q) => finishedPollMs(q.state.data, Date.now()),
    refetchOnWindowFocus: 'always',
  });
  const { refetch } = query;
  useEffect(() => {
    if (changeKey) void refetch();
  }, [changeKey, refetch]);
  return query;
}

function Stars({ stars }: { stars: number }) {
  return (
    <span className="stars" role="img" aria-label={`Rated ${stars} out of 5`}>
      {'★'.repeat(stars)}
      <span className="stars__empty">{'★'.repeat(5 - stars)}</span>
    </span>
  );
}

/** A finished card's outcome and rating, and the button that reopens its summary. */
export function FinishedExtras({ card, finished }: { card: AssignmentCard; finished: Finished | undefined }) {
  const row = finished?.sessions.find((s) => s.sessionId === card.sessionId);
  return (
    <div className="finished">
      {card.outcome ? <span className="finished__outcome">{OUTCOME_LABELS[card.outcome]}</span> : null}
      {row?.rating ? <Stars stars={row.rating.stars} /> : <span className="muted">Not rated yet</span>}
      <SummaryButton sessionId={card.sessionId} />
    </div>
  );
}

/** Earlier finished sessions (beyond what My sessions shows as cards), with the average rating. */
export function PastSessions({
  finished,
  shown,
}: {
  finished: Finished | undefined;
  shown: ReadonlySet<string>;
}) {
  const id = useId();
  if (!finished) return null;
  const earlier = finished.sessions.filter((s) => !shown.has(s.sessionId));
  return (
    <section className="past" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="past__title">
        Your ratings
      </h3>
      <p className="muted" data-testid="rating-average">
        {finished.average === null
          ? 'No ratings yet.'
          : `${finished.average.toFixed(1)} of 5 on average, from ${finished.ratedCount} ${finished.ratedCount === 1 ? 'rating' : 'ratings'}.`}
      </p>
      {earlier.length > 0 ? (
        <ul className="past__list">
          {earlier.map((row) => (
            <PastRow key={row.sessionId} row={row} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function PastRow({ row }: { row: FinishedRow }) {
  return (
    <li className="past__row" data-session-id={row.sessionId}>
      <span>
        <strong>{SESSION_TYPE_LABELS[row.sessionType]}</strong> · {row.vehicle.year} {row.vehicle.make}{' '}
        {row.vehicle.model}
        {row.completedAt ? ` · ${dayAndTime(row.completedAt)}` : ''}
      </span>
      <span className="finished">
        {row.outcome ? <span className="finished__outcome">{OUTCOME_LABELS[row.outcome]}</span> : null}
        {row.rating ? <Stars stars={row.rating.stars} /> : <span className="muted">Not rated</span>}
        <SummaryButton sessionId={row.sessionId} />
      </span>
    </li>
  );
}

function SummaryButton({ sessionId }: { sessionId: string }) {
  const { open, opener, show, close } = useDialogOpener();
  return (
    <>
      <button
        ref={opener}
        type="button"
        className="button button--quiet"
        aria-haspopup="dialog"
        data-summary-button
        onClick={show}
      >
        Summary
      </button>
      {open ? <SummaryDialog sessionId={sessionId} onClose={() => close()} /> : null}
    </>
  );
}

/** A finished session's summary, reopened: outcome, note, findings, times and the customer's rating. */
function SummaryDialog({ sessionId, onClose }: { sessionId: string; onClose(): void }) {
  const trpc = useTRPC();
  const id = useId();
  const dialog = useModal('[data-close]');
  const summary = useQuery(trpc.session.summary.queryOptions({ sessionId }));
  const data = summary.data;
  return (
    <dialog
      ref={dialog}
      className="complete-dialog"
      aria-labelledby={`${id}-title`}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <div className="complete-dialog__form">
        <h2 id={`${id}-title`}>Session summary</h2>
        {data ? (
          <dl className="summary-list">
            <div>
              <dt>Session</dt>
              <dd>
                {SESSION_TYPE_LABELS[data.sessionType]} · {data.vehicle.year} {data.vehicle.make}{' '}
                {data.vehicle.model}
              </dd>
            </div>
            <div>
              <dt>Outcome</dt>
              <dd>{data.outcome ? OUTCOME_LABELS[data.outcome] : data.status}</dd>
            </div>
            {data.note ? (
              <div>
                <dt>Your note</dt>
                <dd className="summary-list__text">{data.note}</dd>
              </div>
            ) : null}
            {data.findings ? (
              <>
                <div>
                  <dt>What was checked</dt>
                  <dd className="summary-list__text">{data.findings.checked}</dd>
                </div>
                <div>
                  <dt>Suspected cause</dt>
                  <dd className="summary-list__text">{data.findings.suspectedCause}</dd>
                </div>
                <div>
                  <dt>Advice</dt>
                  <dd className="summary-list__text">{data.findings.advice}</dd>
                </div>
              </>
            ) : null}
            <div>
              <dt>Times</dt>
              <dd>
                {data.acceptedAt ? `accepted ${dayAndTime(data.acceptedAt)}` : ''}
                {data.completedAt ? `, completed ${dayAndTime(data.completedAt)}` : ''}
              </dd>
            </div>
            <div>
              <dt>Customer's rating</dt>
              <dd>
                {data.rating ? (
                  <>
                    <Stars stars={data.rating.stars} />
                    {data.rating.comment ? (
                      <span className="summary-list__text"> “{data.rating.comment}”</span>
                    ) : null}
                  </>
                ) : (
                  'Not rated yet'
                )}
              </dd>
            </div>
          </dl>
        ) : summary.error ? (
          <p className="field__error">{errorMessage(summary.error)}</p>
        ) : (
          <p className="muted" aria-busy="true">
            Loading the summary…
          </p>
        )}
        <div className="complete-dialog__actions">
          <button type="button" className="button button--secondary" data-close onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </dialog>
  );
}

/** An accepted session's callback phone, for its own mechanic only (the server decides who gets it). */
export function CustomerContact({ card }: { card: AssignmentCard }) {
  const trpc = useTRPC();
  const asked = card.sessionType === 'in_person' || card.urgent;
  const contacts = useQuery({
    ...trpc.session.contacts.queryOptions({ sessionId: card.sessionId }),
    enabled: asked && card.status === 'accepted',
    staleTime: 60_000,
  });
  const phone = contacts.data?.callbackPhone;
  if (!asked || card.status !== 'accepted') return null;
  if (!phone) return contacts.isPending ? <p className="muted">Loading the customer's phone…</p> : null;
  return (
    <p className="contact">
      Customer's callback phone:{' '}
      <a href={`tel:${phone}`} className="contact__phone">
        {phone}
      </a>
    </p>
  );
}
