import { ConnectionIndicator, errorCode, errorMessage, useConnection, useTRPC } from '@dispatch/web';
import { skipToken, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { hrefFor } from '../routing.ts';
import { Loading, Notice } from '../ui/Notice.tsx';
import { PageHeading } from '../ui/PageHeading.tsx';
import { formatDuration, formatTime, useNow } from '../ui/time.ts';
import { WaiverForm } from '../waiver/WaiverForm.tsx';
import { CancelRequest } from './CancelRequest.tsx';
import {
  headline,
  NO_MECHANIC_AVAILABLE,
  nextStep,
  type SessionDetails,
  sessionTypeLabel,
} from './headline.ts';
import { useSessionQueryOptions } from './use-session.ts';

/**
 * Where the customer stands, live: `session.get` is the truth, `session.onChange` (from the
 * snapshot's position) says when it changed, polling covers a dead socket, and a reconnect re-reads.
 */
export function StatusPage({ sessionId }: { sessionId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { reconnects, markEvent } = useConnection();
  const [streamFailed, setStreamFailed] = useState(false);
  const options = useSessionQueryOptions(sessionId, streamFailed);
  const session = useQuery(options);

  // Subscribe once, from the first snapshot's position; the client resumes from its last event itself.
  const [from, setFrom] = useState<string | null>(null);
  useEffect(() => {
    if (from === null && session.data) setFrom(session.data.position);
  }, [from, session.data]);
  useSubscription(
    trpc.session.onChange.subscriptionOptions(from === null ? skipToken : { sessionId, lastEventId: from }, {
      onStarted: () => setStreamFailed(false),
      // A refused or broken stream must not leave the page stale: poll until it is back.
      onError: () => setStreamFailed(true),
      onData: (event) => {
        markEvent();
        // The server could not continue from our position: reload the page's truth.
        if (event.data.kind === 'resync') {
          void queryClient.invalidateQueries({ queryKey: options.queryKey });
          return;
        }
        // Show the new state at once, then re-read the details (queue position, actions).
        // What may be done next is unknown until the re-read says so: no button that cannot work.
        const next = event.data.session;
        queryClient.setQueryData(options.queryKey, (old) =>
          old
            ? { ...old, ...next, actions: old.assignmentStatus === next.assignmentStatus ? old.actions : [] }
            : old,
        );
        void queryClient.invalidateQueries({ queryKey: options.queryKey });
      },
    }),
  );

  // After the socket comes back, the page shows the true state, whatever happened meanwhile.
  const seenReconnects = useRef(reconnects);
  useEffect(() => {
    if (seenReconnects.current === reconnects) return;
    seenReconnects.current = reconnects;
    void queryClient.invalidateQueries({ queryKey: options.queryKey });
  }, [reconnects, queryClient, options.queryKey]);

  // Signed out elsewhere (or the session expired): back to log-in, which returns here afterwards.
  const signedOut = session.isError && errorCode(session.error) === 'UNAUTHORIZED';
  useEffect(() => {
    if (signedOut) void queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
  }, [signedOut, queryClient, trpc]);

  if (session.isPending) return <Loading label="Loading your request…" />;
  if (session.isError) {
    const missing = errorCode(session.error) === 'NOT_FOUND';
    return (
      <section className="card">
        <PageHeading focusKey="error">
          {missing ? 'We could not find that request' : 'We could not load your request'}
        </PageHeading>
        <Notice tone="error">{errorMessage(session.error)}</Notice>
        <div className="button-row">
          {missing ? null : (
            <button type="button" className="button" onClick={() => session.refetch()}>
              Try again
            </button>
          )}
          <a className="button" href={hrefFor({ name: 'book' })}>
            Book a session
          </a>
        </div>
      </section>
    );
  }
  return (
    <SessionView
      updatedAt={session.dataUpdatedAt}
      session={session.data}
      onChanged={(details) => {
        queryClient.setQueryData(options.queryKey, (old) => (old ? { ...old, ...details } : old));
        void queryClient.invalidateQueries({ queryKey: options.queryKey });
      }}
    />
  );
}

function SessionView({
  session,
  updatedAt,
  onChanged,
}: {
  session: SessionDetails;
  updatedAt: number;
  onChanged: (details: Omit<SessionDetails, 'position'>) => void;
}) {
  const id = useId();
  const { status: connection } = useConnection();
  const cutOff = connection === 'offline' || connection === 'reconnecting';
  const title = headline(session);
  const terminal = session.status === 'completed' || session.status === 'cancelled';
  const canCancel = session.actions.includes('cancel');
  // A background tab still says where things stand.
  useEffect(() => {
    document.title = `${title} · Mechanic on call`;
    return () => {
      document.title = 'Mechanic on call: book live help';
    };
  }, [title]);
  return (
    <section className={`card status status--${session.status}`} aria-labelledby={`${id}-title`}>
      <div className="status__bar">
        <span className={`badge badge--${session.status}`}>
          {session.plan === 'paid' ? 'Paid' : 'Free'} session
        </span>
        <ConnectionIndicator />
      </div>
      {/* Focus moves to the heading when the step changes (after signing); live changes are announced below. */}
      {cutOff ? (
        <p className="connection-note">
          {connection === 'offline'
            ? `You are offline. This is where things stood at ${new Date(updatedAt).toLocaleTimeString()}; the page catches up by itself when you are back online.`
            : `The live connection dropped; we are reconnecting and checking every few seconds meanwhile (last checked ${new Date(updatedAt).toLocaleTimeString()}).`}
        </p>
      ) : null}
      <PageHeading id={`${id}-title`} focusKey={session.status === 'pending_waiver' ? 'waiver' : 'status'}>
        {title}
      </PageHeading>
      <p className="visually-hidden" role="status" aria-live="polite">
        {title}
      </p>

      <StatusBody session={session} onChanged={onChanged} />

      {canCancel ? (
        <div className="status__cancel">
          <CancelRequest sessionId={session.sessionId} onCancelled={onChanged} />
        </div>
      ) : null}
      {terminal ? (
        <div className="button-row">
          <a className="button button--primary" href={hrefFor({ name: 'book' })}>
            Book another session
          </a>
        </div>
      ) : null}

      <RequestSummary session={session} />
    </section>
  );
}

function StatusBody({
  session,
  onChanged,
}: {
  session: SessionDetails;
  onChanged: (details: Omit<SessionDetails, 'position'>) => void;
}) {
  switch (session.status) {
    case 'pending_waiver':
      return (
        <>
          <p className="lead">
            Free sessions start with a short waiver. Read it, sign with your name, and you join the queue.
          </p>
          <WaiverForm sessionId={session.sessionId} onSigned={onChanged} />
        </>
      );
    case 'waiting':
      return <Waiting session={session} />;
    case 'in_progress':
      return (
        <Notice tone="success">
          <p className="status__big">{session.mechanicName ?? 'A mechanic'} is on your request.</p>
          <p>{nextStep(session)}</p>
        </Notice>
      );
    case 'completed':
      return (
        <Notice tone="success">
          <p>
            Your session with {session.mechanicName ?? 'your mechanic'} is finished. We hope your car is in
            better shape. Thank you for using Mechanic on call.
          </p>
        </Notice>
      );
    case 'cancelled':
      return (
        <Notice tone="warning">
          {session.cancelReason === NO_MECHANIC_AVAILABLE ? (
            <p>
              <strong>No mechanic was available</strong> to take your request in time. We are sorry to have
              kept you waiting. You can book again right away; urgent requests are seen first.
            </p>
          ) : (
            <p>
              This request is cancelled
              {session.cancelReason ? (
                <>
                  . Reason: <strong>{session.cancelReason}</strong>
                </>
              ) : null}
              .
            </p>
          )}
        </Notice>
      );
  }
}

function Waiting({ session }: { session: SessionDetails }) {
  const now = useNow(1_000);
  const since = session.queuedAt ?? session.createdAt;
  const waited = formatDuration(now - new Date(since).getTime());
  return (
    <>
      <dl className="stats">
        <div className="stat">
          <dt>Your place in the queue</dt>
          <dd>
            <span className="stat__value">{session.queuePosition ? `#${session.queuePosition}` : '—'}</span>
            {session.queuePosition === 1 ? <span className="stat__note">you're next</span> : null}
          </dd>
        </div>
        <div className="stat">
          <dt>Time waited</dt>
          <dd>
            <span className="stat__value">{waited}</span>
          </dd>
        </div>
      </dl>
      <p className="lead">
        {session.dispatchMode === 'targeted'
          ? 'We are offering your request to available mechanics one at a time.'
          : 'Your request is with every mechanic who can take it.'}{' '}
        This page updates by itself: keep it open and we will show you here the moment one accepts.
        {session.urgent ? ' Marked urgent, so it is seen first.' : ''}
      </p>
    </>
  );
}

function RequestSummary({ session }: { session: SessionDetails }) {
  const { vehicle } = session;
  return (
    <details className="summary" open>
      <summary>Your request</summary>
      <dl className="summary__list">
        <div>
          <dt>Vehicle</dt>
          <dd>
            {vehicle.year} {vehicle.make} {vehicle.model}
          </dd>
        </div>
        <div>
          <dt>Session</dt>
          <dd>
            {sessionTypeLabel(session.sessionType)}
            {session.workshop ? ` · ${session.workshop.name}` : ''}
            {session.urgent ? ' · urgent' : ''}
          </dd>
        </div>
        <div>
          <dt>Plan</dt>
          <dd>{session.plan === 'paid' ? 'Paid' : 'Free'}</dd>
        </div>
        <div>
          <dt>Booked at</dt>
          <dd>{formatTime(session.createdAt)}</dd>
        </div>
        <div className="summary__wide">
          <dt>What's going on</dt>
          <dd>{session.concern}</dd>
        </div>
      </dl>
    </details>
  );
}
