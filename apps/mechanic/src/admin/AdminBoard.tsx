import { SESSION_TYPE_LABELS, SESSION_TYPES } from '@dispatch/domain';
import { errorMessage, useNow, useTRPC } from '@dispatch/web';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useRef, useState } from 'react';
import { vehicleOf } from '../alerts/describe.ts';
import type { AssignmentCard } from '../api-types.ts';
import type { QueueFeed } from '../queue/useQueueFeed.ts';
import { Countdown } from '../time/Countdown.tsx';
import { Elapsed } from '../time/Elapsed.tsx';
import {
  AGE_FILTERS,
  type BoardFilters,
  filterCards,
  NO_FILTERS,
  STATUS_FILTER_LABELS,
  STATUS_FILTERS,
  type StatusFilter,
  waitingSince,
} from './filters.ts';
import { MechanicsPanel } from './MechanicsPanel.tsx';
import { RequestPanel } from './RequestPanel.tsx';
import { STATUS_TEXT } from './status-text.ts';

/** The mechanics list is polled this often: presence and load change without an event. */
const MECHANICS_REFRESH_MS = 3_000;

/**
 * The live operations board: every mechanic (presence, availability, load against capacity,
 * connections) and every request from the live feed, with filters and search; a request opens in
 * a side panel with the admin actions, who could see it and why, and its full trail.
 */
export function AdminBoard({ feed, cards }: { feed: QueueFeed; cards: AssignmentCard[] }) {
  const trpc = useTRPC();
  const mechanics = useQuery({
    ...trpc.admin.mechanics.queryOptions(),
    refetchInterval: MECHANICS_REFRESH_MS,
    refetchIntervalInBackground: false,
  });
  const [filters, setFilters] = useState<BoardFilters>(NO_FILTERS);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const now = useNow(15_000);
  const shown = useMemo(() => filterCards(cards, filters, now), [cards, filters, now]);
  const workshops = useMemo(() => {
    const byId = new Map<string, string>();
    for (const card of cards) if (card.workshop) byId.set(card.workshop.id, card.workshop.name);
    for (const m of mechanics.data ?? [])
      if (m.workshopId && m.workshopName) byId.set(m.workshopId, m.workshopName);
    return [...byId].sort((a, b) => a[1].localeCompare(b[1]));
  }, [cards, mechanics.data]);
  const selected = selectedId ? (feed.cards.get(selectedId) ?? null) : null;

  const open = useCallback((card: AssignmentCard, button: HTMLElement) => {
    opener.current = button;
    setSelectedId(card.assignmentId);
  }, []);
  const close = useCallback(() => {
    setSelectedId(null);
    // Focus goes back to the button that opened the panel (after the panel is gone).
    const back = opener.current;
    requestAnimationFrame(() => back?.focus());
  }, []);
  const set = <K extends keyof BoardFilters>(key: K, value: BoardFilters[K]) =>
    setFilters((current) => ({ ...current, [key]: value }));
  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);

  return (
    <div className={`admin${selected ? ' admin--panel-open' : ''}`}>
      <MechanicsPanel mechanics={mechanics.data ?? []} status={mechanics.status} error={mechanics.error} />
      <section aria-labelledby="requests-heading" className="panel">
        <header className="panel__header">
          <h2 id="requests-heading">
            Requests <span className="count">{feed.status === 'ready' ? shown.length : ''}</span>
          </h2>
          <p className="panel__hint">
            Live.{' '}
            {feed.dispatchMode === 'targeted'
              ? 'Targeted offers: one mechanic at a time.'
              : 'Broadcast to every eligible mechanic.'}
          </p>
        </header>
        <form className="filters" aria-label="Filter requests" onSubmit={(e) => e.preventDefault()}>
          <div className="filters__field">
            <label htmlFor="filter-search">Search</label>
            <input
              id="filter-search"
              type="search"
              value={filters.search}
              placeholder="Customer, vehicle or id"
              onChange={(e) => set('search', e.target.value)}
            />
          </div>
          <div className="filters__field">
            <label htmlFor="filter-status">Status</label>
            <select
              id="filter-status"
              value={filters.status}
              onChange={(e) => set('status', e.target.value as StatusFilter)}
            >
              {STATUS_FILTERS.map((s) => (
                <option key={s} value={s}>
                  {STATUS_FILTER_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
          <div className="filters__field">
            <label htmlFor="filter-type">Type</label>
            <select id="filter-type" value={filters.type} onChange={(e) => set('type', e.target.value)}>
              <option value="">Any type</option>
              {SESSION_TYPES.map((t) => (
                <option key={t} value={t}>
                  {SESSION_TYPE_LABELS[t]}
                </option>
              ))}
            </select>
          </div>
          <div className="filters__field">
            <label htmlFor="filter-workshop">Workshop</label>
            <select
              id="filter-workshop"
              value={filters.workshop}
              onChange={(e) => set('workshop', e.target.value)}
            >
              <option value="">Any workshop</option>
              <option value="none">No workshop</option>
              {workshops.map(([id, name]) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
            </select>
          </div>
          <div className="filters__field">
            <label htmlFor="filter-urgency">Urgency</label>
            <select
              id="filter-urgency"
              value={filters.urgency}
              onChange={(e) => set('urgency', e.target.value as BoardFilters['urgency'])}
            >
              <option value="">Any</option>
              <option value="urgent">Urgent</option>
              <option value="normal">Not urgent</option>
            </select>
          </div>
          <div className="filters__field">
            <label htmlFor="filter-waiting">Waiting</label>
            <select
              id="filter-waiting"
              value={filters.minAgeMinutes}
              onChange={(e) => set('minAgeMinutes', Number(e.target.value))}
            >
              {AGE_FILTERS.map((minutes) => (
                <option key={minutes} value={minutes}>
                  {minutes === 0 ? 'Any time' : `${minutes}+ min`}
                </option>
              ))}
            </select>
          </div>
          {filtered ? (
            <button type="button" className="button button--quiet" onClick={() => setFilters(NO_FILTERS)}>
              Clear filters
            </button>
          ) : null}
        </form>
        {feed.status === 'loading' ? (
          <p className="empty" aria-busy="true">
            Loading requests…
          </p>
        ) : feed.status === 'error' ? (
          <div className="empty empty--error" role="alert">
            <p>Could not load requests: {errorMessage(feed.error)}</p>
            <button type="button" className="button button--secondary" onClick={feed.refetch}>
              Try again
            </button>
          </div>
        ) : shown.length === 0 ? (
          <p className="empty">
            {cards.length === 0 ? 'No requests in the last day.' : 'No request matches these filters.'}
          </p>
        ) : (
          <div className="table-wrap">
            <table className="table requests">
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col">Request</th>
                  <th scope="col">Customer</th>
                  <th scope="col">Workshop</th>
                  <th scope="col">Mechanic</th>
                  <th scope="col">Wait</th>
                  <th scope="col">
                    <span className="visually-hidden">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((card) => (
                  <tr
                    key={card.assignmentId}
                    data-assignment-id={card.assignmentId}
                    aria-selected={selectedId === card.assignmentId}
                  >
                    <td data-label="Status">
                      <span className={`status status--${card.status}`}>{STATUS_TEXT[card.status]}</span>
                    </td>
                    <td data-label="Request">
                      {card.urgent ? <span className="tag tag--urgent">Urgent</span> : null}{' '}
                      {SESSION_TYPE_LABELS[card.sessionType]} · {vehicleOf(card)}
                    </td>
                    <td data-label="Customer">{card.customerName}</td>
                    <td data-label="Workshop">
                      {card.workshop?.name ?? (card.sessionType === 'in_person' ? 'Any' : '—')}
                    </td>
                    <td data-label="Mechanic">
                      {card.status === 'offered' && card.mechanic ? (
                        <>
                          Offered to {card.mechanic.displayName}
                          {card.offerExpiresAt ? (
                            <>
                              {' '}
                              <Countdown until={card.offerExpiresAt} />
                            </>
                          ) : null}
                        </>
                      ) : (
                        (card.mechanic?.displayName ?? '—')
                      )}
                    </td>
                    <td data-label="Wait">
                      <WaitCell card={card} />
                    </td>
                    <td className="table__action">
                      <button
                        type="button"
                        className="button button--quiet"
                        aria-expanded={selectedId === card.assignmentId}
                        onClick={(e) => open(card, e.currentTarget)}
                      >
                        Details
                        <span className="visually-hidden">
                          {' '}
                          of {vehicleOf(card)} for {card.customerName}
                        </span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {selected ? (
        <RequestPanel
          key={selected.assignmentId}
          card={selected}
          mechanics={mechanics.data ?? []}
          onClose={close}
        />
      ) : null}
    </div>
  );
}

/** How long it has been waiting; once taken or closed the wait is over, and nothing counts on. */
function WaitCell({ card }: { card: AssignmentCard }) {
  const since = waitingSince(card);
  if (since) return <Elapsed since={since} prefix="" />;
  return (
    <span className="muted" data-wait="over">
      <span aria-hidden="true">—</span>
      <span className="visually-hidden">Not waiting</span>
    </span>
  );
}
