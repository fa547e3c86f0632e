import type { RouterOutputs } from '@dispatch/api/client-types';
import { OUTCOME_LABELS } from '@dispatch/domain';
import { dayAndTime, errorMessage, isTransient, useTRPC, useUnreachableSince } from '@dispatch/web';
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { hrefFor } from '../routing.ts';
import { sessionTypeLabel } from '../status/headline.ts';
import { Loading, Notice } from '../ui/Notice.tsx';
import { OutageNote } from '../ui/OutageNote.tsx';
import { PageHeading } from '../ui/PageHeading.tsx';

type Row = RouterOutputs['session']['listMine'][number];

const OPEN: readonly Row['status'][] = ['pending_waiver', 'waiting', 'in_progress'];

const STATE_LABELS: Record<Row['status'], string> = {
  pending_waiver: 'Waiver to sign',
  waiting: 'Waiting for a mechanic',
  in_progress: 'Accepted',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

function isOpen(row: Pick<Row, 'status'>): boolean {
  return OPEN.includes(row.status);
}

/** "My requests": every request of this customer, open ones first, each with where it stands. */
export function MyRequests() {
  const trpc = useTRPC();
  const id = useId();
  const list = useQuery(trpc.session.listMine.queryOptions(undefined, { staleTime: 0 }));
  // Messages from a mechanic not read yet, per request; re-read while the page is open.
  const unread = useQuery({
    ...trpc.room.unread.queryOptions(undefined, { staleTime: 0 }),
    refetchInterval: UNREAD_EVERY_MS,
    refetchIntervalInBackground: false,
  });
  const unreadBySession = new Map((unread.data ?? []).map((row) => [row.sessionId, row.unread]));
  const unreachableSince = useUnreachableSince(list);
  const rows = list.data ?? [];
  const open = rows.filter(isOpen);
  const past = rows.filter((row) => !isOpen(row));
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <PageHeading id={`${id}-title`} focusKey="requests">
        My requests
      </PageHeading>
      <OutageNote unreachableSince={unreachableSince} updatedAt={list.dataUpdatedAt} />
      {list.data === undefined ? (
        list.error && !isTransient(list.error) ? (
          <Notice tone="error">
            <p>{errorMessage(list.error)}</p>
            <button type="button" className="button" onClick={() => list.refetch()}>
              Try again
            </button>
          </Notice>
        ) : (
          <Loading label="Loading your requests…" />
        )
      ) : (
        <>
          <div className="button-row">
            <a className="button button--primary" href={hrefFor({ name: 'book' })}>
              {open.length > 0 ? 'Book another session' : 'Book a session'}
            </a>
          </div>
          <h2 className="section-title">Open</h2>
          {open.length === 0 ? (
            <p className="muted">No open request. Book a session and a mechanic joins you live.</p>
          ) : (
            <RequestList rows={open} unread={unreadBySession} />
          )}
          <h2 className="section-title">Past</h2>
          {past.length === 0 ? (
            <p className="muted">Nothing yet.</p>
          ) : (
            <RequestList rows={past} unread={unreadBySession} />
          )}
        </>
      )}
    </section>
  );
}

/** How often "My requests" asks for new messages (a message also raises a push once accepted). */
const UNREAD_EVERY_MS = 5_000;

const newMessages = (n: number) => (n === 1 ? '1 new message' : `${n} new messages`);

function RequestList({ rows, unread }: { rows: Row[]; unread: ReadonlyMap<string, number> }) {
  return (
    <ul className="requests">
      {rows.map((row) => {
        const fresh = unread.get(row.id) ?? 0;
        return (
          <li key={row.id} className={`request request--${row.status}`} data-session={row.id}>
            <a className="request__link" href={hrefFor({ name: 'session', sessionId: row.id })}>
              <span className="request__vehicle">
                {row.vehicleYear} {row.vehicleMake} {row.vehicleModel}
              </span>
              <span className="request__meta">
                {sessionTypeLabel(row.type)} · booked {dayAndTime(row.createdAt)}
              </span>
              {/* Inside the link, so it is read out with the request it belongs to. */}
              {fresh > 0 ? <span className="request__unread">{newMessages(fresh)}</span> : null}
            </a>
            <span
              className={`badge badge--${row.status}${row.status === 'completed' && row.outcome ? ` badge--outcome-${row.outcome}` : ''}`}
            >
              {STATE_LABELS[row.status]}
              {row.status === 'cancelled' && row.cancelReason ? `: ${row.cancelReason}` : ''}
              {row.status === 'completed' && row.outcome ? `: ${OUTCOME_LABELS[row.outcome]}` : ''}
            </span>
            {row.status === 'completed' ? (
              <span className="request__rating">
                {row.rating ? `Rated ${row.rating.stars} of 5` : 'Not rated yet: open it to rate'}
              </span>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
