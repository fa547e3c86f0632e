import { NOTICE_TEXT, renderWaitingMessage } from '@dispatch/domain';
import {
  applyIfNewer,
  ConnectionIndicator,
  dayAndTime,
  errorCode,
  errorMessage,
  useLiveSnapshot,
  useNow,
  useTRPC,
} from '@dispatch/web';
import { skipToken, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useId } from 'react';
import { VideoCall } from '../call/VideoCall.tsx';
import { PushOptIn } from '../push/PushOptIn.tsx';
import { SessionRoom } from '../room/SessionRoom.tsx';
import { hrefFor } from '../routing.ts';
import { CompletedSummary, VisitDetails } from '../summary/SessionSummary.tsx';
import { Loading, Notice } from '../ui/Notice.tsx';
import { OutageNote } from '../ui/OutageNote.tsx';
import { PageHeading } from '../ui/PageHeading.tsx';
import { formatDuration } from '../ui/time.ts';
import { WaiverForm } from '../waiver/WaiverForm.tsx';
import { CancelRequest, useCancelRequest } from './CancelRequest.tsx';
import {
  completedMessage,
  headline,
  nextStep,
  type SessionDetails,
  sessionTypeLabel,
  typicalWaitSentence,
} from './headline.ts';
import { SameDetailsLink } from './SameDetailsLink.tsx';

/**
 * Where the customer stands, live: `session.get` is the truth, `session.onChange` (from the
 * snapshot's position) says when it changed, polling covers a dead socket, a reconnect or a
 * `resync` re-reads. During an outage the last known state stays on screen with a quiet note.
 */
export function StatusPage({ sessionId }: { sessionId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const query = trpc.session.get.queryOptions({ sessionId }, { staleTime: 0 });
  const live = useLiveSnapshot({
    query,
    subscription: (position) =>
      trpc.session.onChange.subscriptionOptions(
        position === null ? skipToken : { sessionId, lastEventId: position },
      ),
    // Show the new state at once, then re-read the details (queue position, actions). What may be
    // done next is unknown until the re-read says so: no button that cannot work.
    apply: (old, event) =>
      applyIfNewer(old, event.session.version, (current) => ({
        ...current,
        ...event.session,
        actions: current.assignmentStatus === event.session.assignmentStatus ? current.actions : [],
      })),
  });
  // Whatever this request's state, "is there an open request" and "My requests" follow it.
  const status = live.data?.status;
  useEffect(() => {
    if (!status) return;
    void queryClient.invalidateQueries({ queryKey: trpc.session.current.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.session.listMine.queryKey() });
  }, [status, queryClient, trpc]);
  const cancel = useCancelRequest(sessionId, (details) => {
    queryClient.setQueryData(query.queryKey, (old) => (old ? { ...old, ...details } : old));
    void queryClient.invalidateQueries({ queryKey: query.queryKey });
  });

  // Signed out elsewhere (or the session expired): back to log-in, which returns here afterwards.
  const signedOut = errorCode(live.error) === 'UNAUTHORIZED';
  useEffect(() => {
    if (signedOut) void queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
  }, [signedOut, queryClient, trpc]);

  if (live.data) {
    return (
      <SessionView
        session={live.data}
        note={
          <OutageNote
            unreachableSince={live.unreachableSince}
            updatedAt={live.updatedAt}
            streamDown={live.streamDown}
          />
        }
        cancel={cancel}
        onChanged={(details) => {
          queryClient.setQueryData(query.queryKey, (old) => (old ? { ...old, ...details } : old));
          void queryClient.invalidateQueries({ queryKey: query.queryKey });
        }}
      />
    );
  }
  if (live.error) {
    const missing = errorCode(live.error) === 'NOT_FOUND';
    return (
      <section className="card">
        <PageHeading focusKey="error">
          {missing ? 'We could not find that request' : 'We could not load your request'}
        </PageHeading>
        <Notice tone="error">{errorMessage(live.error)}</Notice>
        <div className="button-row">
          {missing ? null : (
            <button type="button" className="button" onClick={live.refetch}>
              Try again
            </button>
          )}
          <a className="button" href={hrefFor({ name: 'home' })}>
            My requests
          </a>
        </div>
      </section>
    );
  }
  // Nothing known yet: loading, or the server is not answering (we keep trying by ourselves).
  return (
    <section className="card" aria-busy="true">
      <PageHeading focusKey="loading">Your request</PageHeading>
      <Loading label="Loading your request…" />
      <OutageNote unreachableSince={live.unreachableSince} updatedAt={0} />
    </section>
  );
}

function SessionView({
  session,
  note,
  cancel,
  onChanged,
}: {
  session: SessionDetails;
  note: ReactNode;
  cancel: ReturnType<typeof useCancelRequest>;
  onChanged: (details: Omit<SessionDetails, 'position'>) => void;
}) {
  const id = useId();
  const title = headline(session);
  const terminal = session.status === 'completed' || session.status === 'cancelled';
  const canCancel = session.actions.includes('cancel');
  const acceptedBy = useAcceptedBy(session);
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
      {note}
      <PageHeading id={`${id}-title`} focusKey={session.status === 'pending_waiver' ? 'waiver' : 'status'}>
        {title}
      </PageHeading>
      <p className="visually-hidden" role="status" aria-live="polite">
        {title}
      </p>

      <StatusBody session={session} acceptedBy={acceptedBy} onChanged={onChanged} />

      {/* The room with the mechanic: live while accepted, its history afterwards. */}
      {acceptedBy && ['in_progress', 'completed', 'cancelled'].includes(session.status) ? (
        <SessionRoom sessionId={session.sessionId} mechanicName={acceptedBy} />
      ) : null}

      {/* While it waits, the customer may leave: a push says "accepted", "no mechanic" or "completed". */}
      {session.status === 'waiting' ? <PushOptIn /> : null}

      {!terminal && (canCancel || cancel.notDone || cancel.open) ? (
        <div className="status__cancel">
          <CancelRequest
            cancel={cancel}
            canCancel={canCancel}
            acceptedBy={session.status === 'in_progress' ? (session.mechanicName ?? 'a mechanic') : null}
          />
        </div>
      ) : null}
      {terminal ? (
        <div className="button-row">
          {session.status === 'cancelled' ? <SameDetailsLink session={session} /> : null}
          <a
            className={`button${session.status === 'cancelled' ? '' : ' button--primary'}`}
            href={hrefFor({ name: 'book' })}
          >
            Book another session
          </a>
        </div>
      ) : null}

      <RequestSummary session={session} />
    </section>
  );
}

/**
 * Who had accepted the request. The session's details name the mechanic while it is accepted and
 * once it is completed; after a cancel that followed an accept they no longer do, yet the room rule
 * still lets the customer read the chat: `room.get` answers then (NOT_FOUND when there never was a
 * room) with the mechanic's name.
 */
function useAcceptedBy(session: SessionDetails): string | null {
  const trpc = useTRPC();
  const ask = session.status === 'cancelled' && !session.mechanicName;
  const room = useQuery({
    ...trpc.room.get.queryOptions(ask ? { sessionId: session.sessionId } : skipToken),
    retry: (count, error) => count < 3 && errorCode(error) !== 'NOT_FOUND',
    staleTime: Number.POSITIVE_INFINITY,
  });
  return session.mechanicName ?? (ask ? (room.data?.mechanicName ?? null) : null);
}

function StatusBody({
  session,
  acceptedBy,
  onChanged,
}: {
  session: SessionDetails;
  acceptedBy: string | null;
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
        <>
          <Notice tone="success">
            <p className="status__big">{session.mechanicName ?? 'A mechanic'} is on your request.</p>
            <p>{nextStep(session)}</p>
          </Notice>
          {session.sessionType === 'in_person' ? <VisitDetails sessionId={session.sessionId} /> : null}
          {session.sessionType === 'video' ? (
            <VideoCall sessionId={session.sessionId} mechanicName={session.mechanicName} />
          ) : null}
        </>
      );
    case 'completed':
      return (
        <>
          <CompletedNotice session={session} />
          <CompletedSummary sessionId={session.sessionId} />
        </>
      );
    case 'cancelled':
      return (
        <Notice tone="warning">
          {session.cancelCode === 'no_mechanic_available' ? (
            <p>
              <strong>No mechanic was available</strong> to take your request in time. We are sorry to have
              kept you waiting. You can book again right away with the same details
              {session.urgent ? '.' : '; mark it urgent if you are stuck, urgent requests are seen first.'}
            </p>
          ) : (
            <p>
              This request is cancelled
              {session.cancelReason ? (
                <>
                  . Reason: <strong>{session.cancelReason}</strong>
                </>
              ) : null}
              .{acceptedBy ? ` ${acceptedBy} had accepted it; your chat stays below to read.` : ''}
            </p>
          )}
        </Notice>
      );
  }
}

/** The completed session's sentence, worded by its outcome (from the same summary query as below). */
function CompletedNotice({ session }: { session: SessionDetails }) {
  const trpc = useTRPC();
  const summary = useQuery(trpc.session.summary.queryOptions({ sessionId: session.sessionId }));
  const outcome = summary.data?.outcome ?? null;
  return (
    <Notice tone={outcome === null || outcome === 'resolved' ? 'success' : 'warning'}>
      <p data-outcome={outcome ?? ''}>{completedMessage(session.mechanicName, outcome)}</p>
    </Notice>
  );
}

function Waiting({ session }: { session: SessionDetails }) {
  const trpc = useTRPC();
  const now = useNow(1_000);
  const since = session.queuedAt ?? session.createdAt;
  const waited = formatDuration(now - new Date(since).getTime());
  // The honest picture: who could take it, who is online and free, what is ahead of it. Re-read
  // whenever the request changes (its version) and every few seconds as mechanics come and go.
  const waiting = useQuery({
    ...trpc.stats.waiting.queryOptions({ sessionId: session.sessionId }),
    refetchInterval: 10_000,
  });
  const { refetch } = waiting;
  // A new version of the request is the cue to ask again.
  useEffect(() => {
    void refetch();
  }, [session.version, refetch]);
  const told = waiting.data ?? null;
  const position = told?.facts.position ?? null;
  const online = told?.facts.online ?? null;
  const typical = told ? typicalWaitSentence(told.facts.typicalWait, told.facts.online) : '';
  return (
    <>
      <dl className="stats">
        <div className="stat">
          <dt>Your place in the queue</dt>
          <dd>
            <span className="stat__value">{position ? `#${position}` : '—'}</span>
            {position === 1 && online !== null && online > 0 ? (
              <span className="stat__note">you're next</span>
            ) : null}
          </dd>
        </div>
        <div className="stat">
          <dt>Time waited</dt>
          <dd>
            <span className="stat__value">{waited}</span>
          </dd>
        </div>
      </dl>
      {told?.message.notice ? (
        <Notice tone="warning">
          <p>{NOTICE_TEXT[told.message.notice]}</p>
        </Notice>
      ) : null}
      <p className="lead" data-waiting-code={told?.message.code ?? 'unknown'}>
        {told
          ? renderWaitingMessage(told.message)
          : session.dispatchMode === 'targeted'
            ? 'We are offering your request to available mechanics one at a time.'
            : 'Your request is with every mechanic who can take it.'}{' '}
        {typical ? `${typical} ` : ''}
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
          <dd>{dayAndTime(session.createdAt)}</dd>
        </div>
        <div className="summary__wide">
          <dt>What's going on</dt>
          <dd>{session.concern}</dd>
        </div>
      </dl>
    </details>
  );
}
