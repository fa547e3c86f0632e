import { type QueryKey, type UseQueryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useConnection } from './connection.tsx';
import { isTransient } from './errors.ts';

/** What a subscription may yield instead of an event: drop what the stream built, re-read the snapshot. */
export interface Resync {
  kind: 'resync';
}

type Yielded<T> = T extends AsyncIterable<infer U> ? U : T;
type Unwrapped<T> = T extends { id: string; data: infer D } ? D : T;
/** The events of a subscription (its procedure's output), without the tracked envelope and without `resync`. */
export type EventOf<TOutput> = Exclude<Unwrapped<Yielded<TOutput>>, Resync>;

type SubscriptionOptions<TRaw, TError> = Parameters<typeof useSubscription<TRaw, TError>>[0];

/** The shape of `trpc.x.onChange.subscriptionOptions(…)`, enough to infer what it yields. */
interface SubscriptionOptionsLike<TRaw, TError> {
  enabled: boolean;
  queryKey: unknown;
  onData?: (data: TRaw) => void;
  onError?: (error: TError) => void;
}

/** Takes a tracked envelope (`{ id, data }`) apart; the id is an opaque position, never read. */
export function readStreamItem<TOutput>(
  raw: unknown,
): { resync: true } | { resync: false; event: EventOf<TOutput> } {
  const data =
    raw !== null && typeof raw === 'object' && 'id' in raw && 'data' in raw
      ? (raw as { data: unknown }).data
      : raw;
  if (data !== null && typeof data === 'object' && (data as { kind?: unknown }).kind === 'resync') {
    return { resync: true };
  }
  return { resync: false, event: data as EventOf<TOutput> };
}

/**
 * Folds an event carrying a `version` into a snapshot that has one: older or repeated versions
 * (a replay after a reconnect, an event the snapshot already reflects) change nothing.
 */
export function applyIfNewer<TSnapshot extends { version: number }>(
  snapshot: TSnapshot,
  version: number,
  merge: (snapshot: TSnapshot) => TSnapshot,
): TSnapshot {
  return version > snapshot.version ? merge(snapshot) : snapshot;
}

/**
 * When the app stopped hearing from the server, kept across the retries of an outage: set at the
 * first failed fetch, cleared only by a successful one after it (not by a retry merely starting).
 */
export function nextUnreachableSince(
  since: number | null,
  facts: { failing: boolean; lastSuccessAt: number; now: number },
): number | null {
  if (facts.failing) return since ?? facts.now;
  if (since !== null && facts.lastSuccessAt >= since) return null;
  return since;
}

export interface LiveSnapshotOptions<
  TSnapshot extends { position: string },
  TError,
  TKey extends QueryKey,
  TRaw,
  TSubError,
> {
  /** The snapshot query, e.g. `trpc.session.get.queryOptions({ sessionId })`; its data carries `position`. */
  query: UseQueryOptions<TSnapshot, TError, TSnapshot, TKey> & { queryKey: TKey };
  /** The stream from a position (null: not yet known, pass `skipToken`), e.g. `trpc.session.onChange.subscriptionOptions(…)`. */
  subscription: (position: string | null) => SubscriptionOptionsLike<TRaw, TSubError>;
  /** Folds one event into the snapshot (dedupe by `version`, e.g. with `applyIfNewer`). */
  apply: (snapshot: TSnapshot, event: EventOf<TRaw>) => TSnapshot;
  /** Re-read the snapshot after each event too (for details the event does not carry). Default true. */
  refetchOnEvent?: boolean;
  /** Poll this often while the socket is down or the stream failed. Default 5 s. */
  pollMs?: number;
}

export interface LiveSnapshot<TSnapshot, TError> {
  /** The last known state: kept through outages and failed refetches. */
  data: TSnapshot | undefined;
  /** A real answer that there is nothing to show (NOT_FOUND, FORBIDDEN…), never an outage. */
  error: TError | null;
  /** When the server last confirmed `data` (ms since epoch; 0 before the first answer). */
  updatedAt: number;
  /** Since when the server has not answered (ms since epoch), or null while it does. */
  unreachableSince: number | null;
  /** The live stream is down: changes arrive by polling meanwhile. */
  streamDown: boolean;
  /** How many fetches of the current attempt failed (for "still trying…"). */
  failureCount: number;
  refetch(): void;
}

/**
 * Snapshot, then stream from its position: the one pattern behind the customer's status page and
 * the mechanic's queue. The stream resumes from its last event id across reconnects (tRPC tracked
 * events); on a reconnect the snapshot is re-read as well, and a `resync` item drops everything
 * derived from the stream, re-reads the snapshot and streams again from its new position.
 * While the socket is down the snapshot is polled. Outages never replace data with an error.
 */
export function useLiveSnapshot<
  TSnapshot extends { position: string },
  TError,
  TKey extends QueryKey,
  TRaw,
  TSubError,
>(options: LiveSnapshotOptions<TSnapshot, TError, TKey, TRaw, TSubError>): LiveSnapshot<TSnapshot, TError> {
  const queryClient = useQueryClient();
  const { status, reconnects, markEvent } = useConnection();
  const [streamFailed, setStreamFailed] = useState(false);
  const pollMs = options.pollMs ?? 5_000;
  const polling = streamFailed || status !== 'live';
  const query = useQuery({ ...options.query, refetchInterval: polling ? pollMs : false });
  const { queryKey } = options.query;

  // Subscribe from the first snapshot's position; after a resync, from the re-read one's.
  const [from, setFrom] = useState<string | null>(null);
  const resyncing = useRef(false);
  useEffect(() => {
    if (from === null && !resyncing.current && query.data) setFrom(query.data.position);
  }, [from, query.data]);

  const resync = useCallback(() => {
    resyncing.current = true;
    setFrom(null);
    void queryClient
      .fetchQuery({ ...options.query, staleTime: 0 })
      .then((fresh) => setFrom(fresh.position))
      .catch(() => undefined)
      .finally(() => {
        resyncing.current = false;
      });
  }, [queryClient, options.query]);

  const latest = useRef(options);
  latest.current = options;
  const subscription = {
    ...(options.subscription(from) as unknown as SubscriptionOptions<TRaw, TSubError>),
    onStarted: () => setStreamFailed(false),
    onError: () => setStreamFailed(true),
    onData: (raw: unknown) => {
      markEvent();
      const item = readStreamItem<TRaw>(raw);
      if (item.resync) {
        resync();
        return;
      }
      const { apply, refetchOnEvent = true } = latest.current;
      queryClient.setQueryData<TSnapshot>(queryKey, (old) => (old ? apply(old, item.event) : old));
      if (refetchOnEvent) void queryClient.invalidateQueries({ queryKey });
    },
  };
  useSubscription(subscription);

  // After the socket comes back, re-read: the page shows the true state, whatever happened meanwhile.
  const seenReconnects = useRef(reconnects);
  useEffect(() => {
    if (seenReconnects.current === reconnects) return;
    seenReconnects.current = reconnects;
    void queryClient.invalidateQueries({ queryKey });
  }, [reconnects, queryClient, queryKey]);

  const unreachableSince = useUnreachableSince(query);
  const definitive = query.error && !isTransient(query.error) ? query.error : null;
  return {
    data: query.data,
    error: definitive,
    updatedAt: query.dataUpdatedAt,
    unreachableSince,
    streamDown: polling,
    failureCount: query.failureCount,
    refetch: () => void query.refetch(),
  };
}

/** Since when a query's server has not answered (its fetches fail with transient errors), or null. */
export function useUnreachableSince(query: {
  failureReason: unknown;
  error: unknown;
  dataUpdatedAt: number;
}): number | null {
  const failing = isTransient(query.failureReason) || isTransient(query.error);
  const [since, setSince] = useState<number | null>(null);
  useEffect(() => {
    setSince((current) =>
      nextUnreachableSince(current, { failing, lastSuccessAt: query.dataUpdatedAt, now: Date.now() }),
    );
  }, [failing, query.dataUpdatedAt]);
  return failing ? (since ?? Date.now()) : since;
}
