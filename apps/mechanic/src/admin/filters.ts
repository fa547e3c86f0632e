import type { AssignmentCard } from '../api-types.ts';

export const STATUS_FILTERS = ['open', 'waiting', 'offered', 'accepted', 'finished', 'all'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export const STATUS_FILTER_LABELS: Record<StatusFilter, string> = {
  open: 'Open (waiting or live)',
  waiting: 'Waiting for a mechanic',
  offered: 'Offered',
  accepted: 'Accepted',
  finished: 'Completed or cancelled',
  all: 'All',
};

export const AGE_FILTERS = [0, 1, 5, 15] as const;

export interface BoardFilters {
  status: StatusFilter;
  /** A session type, or '' for any. */
  type: string;
  /** A workshop id, 'none' for requests without one, or '' for any. */
  workshop: string;
  urgency: '' | 'urgent' | 'normal';
  /** Still waiting for a mechanic, for at least this many minutes (0: any age). */
  minAgeMinutes: number;
  /** Customer, vehicle, or any part of a session or request id. */
  search: string;
}

export const NO_FILTERS: BoardFilters = {
  status: 'open',
  type: '',
  workshop: '',
  urgency: '',
  minAgeMinutes: 0,
  search: '',
};

const STATUS_MATCH: Record<StatusFilter, (status: AssignmentCard['status']) => boolean> = {
  open: (s) => s !== 'completed' && s !== 'cancelled',
  waiting: (s) => s === 'queued' || s === 'declined' || s === 'expired' || s === 'pending_waiver',
  offered: (s) => s === 'offered',
  accepted: (s) => s === 'accepted',
  finished: (s) => s === 'completed' || s === 'cancelled',
  all: () => true,
};

/**
 * Since when a request has been waiting for a mechanic (queued, or open at all before that), or
 * null once the wait is over: accepted, completed or cancelled requests are not waiting, so their
 * wait neither keeps counting on the board nor matches "waiting 15+ min".
 */
export function waitingSince(card: AssignmentCard): string | null {
  if (card.status === 'accepted' || card.status === 'completed' || card.status === 'cancelled') return null;
  return card.queuedAt ?? card.createdAt;
}

/** The requests the admin asked to see, in the board's order. */
export function filterCards(
  cards: readonly AssignmentCard[],
  f: BoardFilters,
  now: number,
): AssignmentCard[] {
  const words = f.search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return cards.filter((card) => {
    if (!STATUS_MATCH[f.status](card.status)) return false;
    if (f.type && card.sessionType !== f.type) return false;
    if (f.workshop === 'none' ? card.workshop !== null : f.workshop && card.workshop?.id !== f.workshop)
      return false;
    if (f.urgency === 'urgent' && !card.urgent) return false;
    if (f.urgency === 'normal' && card.urgent) return false;
    if (f.minAgeMinutes > 0) {
      const since = waitingSince(card);
      if (since === null || now - Date.parse(since) < f.minAgeMinutes * 60_000) return false;
    }
    if (words.length === 0) return true;
    const haystack = [
      card.customerName,
      card.vehicle.year,
      card.vehicle.make,
      card.vehicle.model,
      card.sessionId,
      card.assignmentId,
      card.mechanic?.displayName ?? '',
    ]
      .join(' ')
      .toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

/** 2026-12-01 14:02:01.234 in the admin's own time zone: the trail and the receipts, exact. */
export function fullTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(
    d.getMinutes(),
  )}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** 14:02:01.234 (same day as the request: the panel shows the date once, above). */
export function clockTime(iso: string): string {
  return fullTime(iso).slice(11);
}
