import { describeSight, SESSION_TYPE_LABELS } from '@dispatch/domain';
import { errorMessage, useTRPC } from '@dispatch/web';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { vehicleOf } from '../alerts/describe.ts';
import type { AdminMechanic, AssignmentCard, WhoCouldSeeAnswer } from '../api-types.ts';
import { useNotice } from '../notices/notices.tsx';
import { Countdown } from '../time/Countdown.tsx';
import { clockTime, fullTime } from './filters.ts';
import { reassignChoices } from './reassign-choices.ts';
import { STATUS_TEXT } from './status-text.ts';

/** The side panel re-reads its trail and verdicts this often, and whenever the card changes. */
const PANEL_REFRESH_MS = 5_000;

interface Props {
  card: AssignmentCard;
  mechanics: AdminMechanic[];
  onClose(): void;
}

/**
 * One request in a side panel that opens in view and takes focus (Escape or Close puts focus back
 * where it was): what it is, the admin actions, who could see it and why, and its full trail.
 */
export function RequestPanel({ card, mechanics, onClose }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  const titleId = `panel-${card.assignmentId}`;
  useEffect(() => {
    heading.current?.focus();
  }, []);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <aside className="side-panel" aria-labelledby={titleId} data-testid="request-panel">
      <header className="side-panel__header">
        <h2 id={titleId} ref={heading} tabIndex={-1}>
          {SESSION_TYPE_LABELS[card.sessionType]} · {vehicleOf(card)}
        </h2>
        <button type="button" className="button button--secondary" onClick={onClose}>
          Close<span className="visually-hidden"> the request panel</span>
        </button>
      </header>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <span className={`status status--${card.status}`}>{STATUS_TEXT[card.status]}</span>
          {card.status === 'offered' && card.mechanic ? (
            <>
              {' '}
              to <strong>{card.mechanic.displayName}</strong>
              {card.offerExpiresAt ? (
                <>
                  {' '}
                  · <Countdown until={card.offerExpiresAt} />
                </>
              ) : null}
            </>
          ) : card.mechanic ? (
            <> · {card.mechanic.displayName}</>
          ) : null}
          {card.cancelReason ? <span className="muted"> · {card.cancelReason}</span> : null}
        </dd>
        <dt>Customer</dt>
        <dd>{card.customerName}</dd>
        <dt>Workshop</dt>
        <dd>
          {card.workshop?.name ?? (card.sessionType === 'in_person' ? 'Any workshop' : 'None (virtual)')}
        </dd>
        <dt>Created</dt>
        <dd>
          <time dateTime={card.createdAt}>{fullTime(card.createdAt)}</time>
        </dd>
        {card.queuedAt ? (
          <>
            <dt>Queued</dt>
            <dd>
              <time dateTime={card.queuedAt}>{fullTime(card.queuedAt)}</time>
            </dd>
          </>
        ) : null}
        <dt>Session</dt>
        <dd>
          <code>{card.sessionId}</code>
        </dd>
      </dl>
      <WhoCouldSee card={card} />
      <AdminActions card={card} mechanics={mechanics} />
      <Trail card={card} />
    </aside>
  );
}

type Action = 'cancel' | 'reoffer' | 'reassign';
const ACTION_TEXT: Record<Action, string> = {
  cancel: 'Cancel the request',
  reoffer: 'Re-offer now (back at its place in line)',
  reassign: 'Offer it to one mechanic',
};

function AdminActions({ card, mechanics }: { card: AssignmentCard; mechanics: AdminMechanic[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const notice = useNotice();
  const [action, setAction] = useState<Action>('reassign');
  const [mechanicId, setMechanicId] = useState('');
  const [reason, setReason] = useState('');
  const done = (text: string) => () => {
    notice(text, 'success');
    setReason('');
    void queryClient.invalidateQueries({ queryKey: trpc.admin.pathKey() });
  };
  const cancel = useMutation(trpc.admin.cancel.mutationOptions({ onSuccess: done('Request cancelled') }));
  const reoffer = useMutation(
    trpc.admin.reoffer.mutationOptions({ onSuccess: done('Request offered again') }),
  );
  const reassign = useMutation(trpc.admin.reassign.mutationOptions({ onSuccess: done('Offer sent') }));
  const running = { cancel, reoffer, reassign }[action];
  const choices = useMemo(() => reassignChoices(card, mechanics), [card, mechanics]);
  const [problems, setProblems] = useState<{ mechanic?: string; reason?: string }>({});
  const mechanicRef = useRef<HTMLSelectElement>(null);
  const reasonRef = useRef<HTMLInputElement>(null);
  const closed = card.status === 'completed' || card.status === 'cancelled';
  if (closed) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Said beside the field (not only the browser's own bubble), and focus goes to the first one.
    const found = {
      mechanic: action === 'reassign' && !mechanicId ? 'Choose a mechanic to offer it to.' : undefined,
      reason: reason.trim() ? undefined : 'Say why: the reason is recorded on the trail.',
    };
    setProblems(found);
    if (found.mechanic) return mechanicRef.current?.focus();
    if (found.reason) return reasonRef.current?.focus();
    const input = { sessionId: card.sessionId, reason };
    if (action === 'cancel') cancel.mutate(input);
    else if (action === 'reoffer') reoffer.mutate(input);
    else reassign.mutate({ ...input, mechanicId });
  };
  const selectId = `action-${card.assignmentId}`;
  return (
    <section aria-labelledby={`${selectId}-h`} className="side-panel__section">
      <h3 id={`${selectId}-h`}>Admin actions</h3>
      <form className="action-form" onSubmit={submit} noValidate>
        <label htmlFor={selectId}>Action</label>
        <select id={selectId} value={action} onChange={(e) => setAction(e.target.value as Action)}>
          {(Object.keys(ACTION_TEXT) as Action[]).map((a) => (
            <option key={a} value={a}>
              {ACTION_TEXT[a]}
            </option>
          ))}
        </select>
        {action === 'reassign' ? (
          <>
            <label htmlFor={`${selectId}-m`}>Mechanic</label>
            <select
              id={`${selectId}-m`}
              ref={mechanicRef}
              value={mechanicId}
              onChange={(e) => {
                setMechanicId(e.target.value);
                setProblems((p) => ({ ...p, mechanic: undefined }));
              }}
              aria-invalid={problems.mechanic ? true : undefined}
              aria-describedby={problems.mechanic ? `${selectId}-m-error` : `${selectId}-m-hint`}
            >
              <option value="">
                {choices.length === 0 ? 'No mechanic can take this request' : 'Choose a mechanic…'}
              </option>
              {choices.map((c) => (
                <option key={c.mechanicId} value={c.mechanicId} disabled={c.blocked !== null}>
                  {c.label}
                </option>
              ))}
            </select>
            {problems.mechanic ? (
              <p className="form-error" id={`${selectId}-m-error`} role="alert">
                {problems.mechanic}
              </p>
            ) : (
              <p className="muted field-hint" id={`${selectId}-m-hint`}>
                Only mechanics who could take this request; away, offline or busy ones cannot be offered it
                now.
              </p>
            )}
          </>
        ) : null}
        <label htmlFor={`${selectId}-r`}>Reason (recorded on the trail)</label>
        <input
          id={`${selectId}-r`}
          ref={reasonRef}
          value={reason}
          onChange={(e) => {
            setReason(e.target.value);
            setProblems((p) => ({ ...p, reason: undefined }));
          }}
          required
          maxLength={500}
          aria-invalid={problems.reason ? true : undefined}
          aria-describedby={problems.reason ? `${selectId}-r-error` : undefined}
        />
        {problems.reason ? (
          <p className="form-error" id={`${selectId}-r-error`} role="alert">
            {problems.reason}
          </p>
        ) : null}
        <button type="submit" className="button button--primary" disabled={running.isPending}>
          {running.isPending ? 'Working…' : 'Apply'}
        </button>
        {running.isError ? (
          <p className="form-error" role="alert">
            {errorMessage(running.error)}
          </p>
        ) : null}
      </form>
    </section>
  );
}

const VERDICT_TONE: Record<string, string> = {
  can_see: 'ok',
  holds_offer: 'ok',
  accepted_it: 'ok',
  finished_it: 'ok',
};

function WhoCouldSee({ card }: { card: AssignmentCard }) {
  const trpc = useTRPC();
  const query = useQuery({
    ...trpc.admin.whoCouldSee.queryOptions({ sessionId: card.sessionId }),
    refetchInterval: PANEL_REFRESH_MS,
  });
  const { refetch } = query;
  useEffect(() => {
    if (card.version >= 0) void refetch();
  }, [card.version, refetch]);
  const answer: WhoCouldSeeAnswer | undefined = query.data;
  // Who it is with, or who would be alerted, first; then who may see it; then everyone else.
  const rank = (v: WhoCouldSeeAnswer['verdicts'][number]) =>
    VERDICT_TONE[v.code] ? 0 : v.alertable ? 1 : v.visible ? 2 : 3;
  const verdicts = answer ? [...answer.verdicts].sort((a, b) => rank(a) - rank(b)) : [];
  return (
    <section aria-labelledby={`sight-${card.assignmentId}`} className="side-panel__section">
      <h3 id={`sight-${card.assignmentId}`}>Who could see this?</h3>
      {query.isPending ? (
        <p className="muted" aria-busy="true">
          Checking every mechanic…
        </p>
      ) : query.isError ? (
        <p className="form-error" role="alert">
          {errorMessage(query.error)}
        </p>
      ) : answer ? (
        <>
          <p className="muted">
            {answer.verdicts.filter((v) => v.visible).length} of {answer.verdicts.length} may see it,{' '}
            {answer.verdicts.filter((v) => v.alertable).length} would be alerted now ({answer.dispatchMode}{' '}
            dispatch).
          </p>
          <ul className="sight-list">
            {verdicts.map((v) => (
              <li
                key={v.mechanicId}
                className={`sight sight--${VERDICT_TONE[v.code] ?? (v.visible ? 'info' : 'no')}`}
              >
                <strong>{v.displayName}</strong>
                <span className="sight__why">{describeSight(v, clockTime, answer.sessionType)}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

/** Each trail event in words (the stored types are codes: create, sign_waiver, requeue...). */
const EVENT_TEXT: Record<string, string> = {
  create: 'Created',
  sign_waiver: 'Waiver signed',
  offer: 'Offered',
  decline: 'Declined',
  expire: 'Offer expired',
  requeue: 'Back in the queue',
  accept: 'Accepted',
  cancel: 'Cancelled',
  complete: 'Completed',
  audit_fix: 'Audit fix',
};

const statusText = (status: string) => STATUS_TEXT[status as keyof typeof STATUS_TEXT] ?? status;

/** The request ids (to find an event in the server log), out of the way under one disclosure. */
function RequestIds({
  events,
}: {
  events: { position: string; at: string; type: string; requestId: string | null }[];
}) {
  const withId = events.filter((event) => event.requestId);
  if (withId.length === 0) return null;
  return (
    <details className="trail__ids">
      <summary>Request ids for the server log</summary>
      <ul>
        {withId.map((event) => (
          <li key={event.position}>
            <time dateTime={event.at}>{fullTime(event.at).slice(11)}</time>{' '}
            {EVENT_TEXT[event.type] ?? event.type}: <code>{event.requestId}</code>
          </li>
        ))}
      </ul>
    </details>
  );
}

function Trail({ card }: { card: AssignmentCard }) {
  const trpc = useTRPC();
  const trail = useQuery({
    ...trpc.admin.trail.queryOptions({ sessionId: card.sessionId }),
    refetchInterval: PANEL_REFRESH_MS,
  });
  const { refetch } = trail;
  useEffect(() => {
    if (card.version >= 0) void refetch();
  }, [card.version, refetch]);
  return (
    <section aria-labelledby={`trail-${card.assignmentId}`} className="side-panel__section">
      <h3 id={`trail-${card.assignmentId}`}>Event trail</h3>
      {trail.isPending ? (
        <p className="muted" aria-busy="true">
          Loading the trail…
        </p>
      ) : trail.isError ? (
        <p className="form-error" role="alert">
          {errorMessage(trail.error)}
        </p>
      ) : (
        <>
          <ol className="trail">
            {trail.data.map((event) => (
              <li key={event.position} className="trail__event" data-type={event.type}>
                <time dateTime={event.at}>{fullTime(event.at)}</time>
                <span className="trail__what">
                  <strong>{EVENT_TEXT[event.type] ?? event.type.replaceAll('_', ' ')}</strong>
                  {event.type === 'offer' && event.mechanicName ? ` to ${event.mechanicName}` : ''}:{' '}
                  {event.fromStatus ? `${statusText(event.fromStatus)} → ` : ''}
                  {statusText(event.toStatus)}, by {event.actorName ?? event.actorKind}
                  {event.actorName &&
                  event.actorKind !== 'dispatcher' &&
                  event.actorKind !== 'timer' &&
                  event.actorKind !== 'system'
                    ? ` (${event.actorKind})`
                    : ''}
                </span>
                {event.reason ? <span className="trail__why">{event.reason}</span> : null}
              </li>
            ))}
          </ol>
          <RequestIds events={trail.data} />
        </>
      )}
    </section>
  );
}
