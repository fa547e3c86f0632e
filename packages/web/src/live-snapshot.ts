import { type Position, parsePosition } from '@dispatch/domain';
import { type QueryKey, type UseQueryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useConnection } from './connection.tsx';
import { isTransient } from './errors.ts';
import { foldLog, isReplay, type LoggedEvent, pruneLog } from './live-log.ts';

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

/** Takes a tracked envelope (`{ id, data }`) apart; the id is the event's position (null if untracked). */
export function readStreamItem<TOutput>(
  raw: unknown,
): { resync: true } | { resync: false; id: string | null; event: EventOf<TOutput> } {
  const tracked = raw !== null && typeof raw === 'object' && 'id' in raw && 'data' in raw;
  const data = tracked ? (raw as { data: unknown }).data : raw;
  if (data !== null && typeof data === 'object' && (data as { kind?: unknown }).kind === 'resync') {
    return { resync: true };
  }
  const id = tracked ? String((raw as { id: unknown }).id) : null;
  return { resync: false, id, event: data as EventOf<TOutput> };
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
  TView = TSnapshot,
> {
  /** The snapshot query, e.g. `trpc.session.get.queryOptions({ sessionId })`; its data carries `position`. */
  query: UseQueryOptions<TSnapshot, TError, TSnapshot, TKey> & { queryKey: TKey };
  /** The stream from a position (null: not yet known, pass `skipToken`), e.g. `trpc.session.onChange.subscriptionOptions(…)`. */
  subscription: (position: string | null) => SubscriptionOptionsLike<TRaw, TSubError>;
  /** What a snapshot shows before any event (e.g. its cards by id). Default: the snapshot itself. */
  view?: (snapshot: TSnapshot) => TView;
  /** Folds one event into the view; must ignore what is older than it holds (by `version`). */
  apply: (view: TView, event: EventOf<TRaw>) => TView;
  /** Sees each new streamed event with the view as it was just before it (e.g. "taken by another mechanic"). */
  onEvent?: (event: EventOf<TRaw>, before: TView | undefined) => void;
  /** Re-read the snapshot after each event too (for details the event does not carry). Default true. */
  refetchOnEvent?: boolean;
  /** Poll this often while the socket is down or the stream failed. Default 5 s. */
  pollMs?: number;
  /** While live, re-read the snapshot this often anyway: a safety net that also compacts the log. Default never. */
  liveResyncMs?: number;
}

export interface LiveSnapshot<TView, TError, TEvent> {
  /** The last known state: the snapshot plus the events after it; kept through outages and failed refetches. */
  data: TView | undefined;
  /** A real answer that there is nothing to show (NOT_FOUND, FORBIDDEN…), never an outage. */
  error: TError | null;
  /** Why the first snapshot could not be read (outage or not), while there is nothing to show yet. */
  firstReadError: unknown;
  /** When the server last confirmed the snapshot (ms since epoch; 0 before the first answer). */
  updatedAt: number;
  /** Since when the server has not answered (ms since epoch), or null while it does. */
  unreachableSince: number | null;
  /** The live stream is down or failed: changes arrive by polling meanwhile. */
  streamDown: boolean;
  /** The stream ended with an error while the socket is up; it is restarted after a pause. */
  streamFailed: boolean;
  /** How many fetches of the current attempt failed (for "still trying…"). */
  failureCount: number;
  /** Applies this tab's own result (an accepted card, a lost race) until the next snapshot confirms it. */
  applyLocal(event: TEvent): void;
  refetch(): void;
}

/** A stream that ended with an error is started again (from its last event) after this pause. */
const STREAM_RESTART_MS = 3_000;

/**
 * Snapshot, then stream from its position: the one pattern behind the customer's status page and
 * the mechanic's queue. The view is the latest snapshot plus the events streamed after its
 * position (a snapshot re-read mid-stream never loses or rewinds an event). The stream resumes
 * from its last event id across reconnects (tRPC tracked events) and replays are skipped by
 * position; a reconnect or the browser coming online re-reads the snapshot; a `resync` item drops
 * everything derived from the stream, re-reads the snapshot and streams again from its position;
 * a stream that failed is restarted from its last event. While the socket is down, or the stream
 * failed, the snapshot is polled. Outages never replace data with an error.
 */
export function useLiveSnapshot<
  TSnapshot extends { position: string },
  TError,
  TKey extends QueryKey,
  TRaw,
  TSubError,
  TView = TSnapshot,
>(
  options: LiveSnapshotOptions<TSnapshot, TError, TKey, TRaw, TSubError, TView>,
): LiveSnapshot<TView, TError, EventOf<TRaw>> {
  type Event = EventOf<TRaw>;
  const queryClient = useQueryClient();
  const { status, reconnects, markEvent } = useConnection();
  const [streamError, setStreamError] = useState(false);
  const pollMs = options.pollMs ?? 5_000;
  const polling = streamError || status !== 'live';
  const query = useQuery({
    ...options.query,
    refetchInterval: polling ? pollMs : (options.liveResyncMs ?? false),
  });
  const { queryKey } = options.query;
  const snapshot = query.data;

  // Events after the snapshot's position; a new snapshot prunes what it already reflects.
  const [log, setLog] = useState<LoggedEvent<Event>[]>([]);
  useEffect(() => {
    if (snapshot) setLog((current) => pruneLog(current, snapshot.position));
  }, [snapshot]);
  const latest = useRef(options);
  latest.current = options;
  const data = useMemo(() => {
    if (!snapshot) return undefined;
    const { view = (s: TSnapshot) => s as unknown as TView, apply } = latest.current;
    return foldLog(snapshot, log, view, apply);
  }, [snapshot, log]);
  const dataRef = useRef(data);
  dataRef.current = data;

  // Subscribe from the first snapshot's position; after a resync, from the re-read one's; after a
  // failed stream, from the last event seen.
  const [from, setFrom] = useState<string | null>(null);
  const resyncing = useRef(false);
  const lastSeen = useRef<{ text: string; position: Position } | null>(null);
  useEffect(() => {
    if (from === null && !resyncing.current && snapshot) setFrom(snapshot.position);
  }, [from, snapshot]);

  const resync = useCallback(() => {
    resyncing.current = true;
    lastSeen.current = null;
    setLog([]);
    setFrom(null);
    void queryClient
      .fetchQuery({ ...latest.current.query, staleTime: 0 })
      .then((fresh) => setFrom(fresh.position))
      .catch(() => undefined)
      .finally(() => {
        resyncing.current = false;
      });
  }, [queryClient]);

  const subscription = useSubscription({
    ...(options.subscription(from) as unknown as SubscriptionOptions<TRaw, TSubError>),
    onStarted: () => setStreamError(false),
    onError: () => setStreamError(true),
    onData: (raw: unknown) => {
      markEvent();
      const item = readStreamItem<TRaw>(raw);
      if (item.resync) {
        resync();
        return;
      }
      const position = item.id === null ? null : parsePosition(item.id);
      if (isReplay(position, lastSeen.current?.position ?? null)) return;
      if (position && item.id !== null) lastSeen.current = { text: item.id, position };
      const { onEvent, refetchOnEvent = true } = latest.current;
      onEvent?.(item.event, dataRef.current);
      setLog((current) => [...current, { position, event: item.event }]);
      if (refetchOnEvent) void queryClient.invalidateQueries({ queryKey });
    },
  });

  // A stream the server ended with an error (say, a restart mid-request) starts again after a
  // pause, from the last event seen; until then the snapshot polls, so nothing silently goes stale.
  const streamFailed = subscription.status === 'error';
  const { reset } = subscription;
  useEffect(() => {
    if (!streamFailed) return;
    const timer = setTimeout(() => {
      const resumeFrom = lastSeen.current?.text;
      if (resumeFrom && resumeFrom !== from) setFrom(resumeFrom);
      else reset();
    }, STREAM_RESTART_MS);
    return () => clearTimeout(timer);
  }, [streamFailed, from, reset]);

  // After the socket comes back, or the browser is online again, re-read: the page shows the true
  // state, whatever happened meanwhile.
  const seenReconnects = useRef(reconnects);
  useEffect(() => {
    if (seenReconnects.current === reconnects) return;
    seenReconnects.current = reconnects;
    void queryClient.invalidateQueries({ queryKey });
  }, [reconnects, queryClient, queryKey]);
  useEffect(() => {
    const reread = () => void queryClient.invalidateQueries({ queryKey });
    window.addEventListener('online', reread);
    return () => window.removeEventListener('online', reread);
  }, [queryClient, queryKey]);

  const applyLocal = useCallback((event: Event) => {
    setLog((current) => [...current, { position: null, event }]);
  }, []);

  const unreachableSince = useUnreachableSince(query);
  const definitive = query.error && !isTransient(query.error) ? query.error : null;
  return {
    data,
    error: definitive,
    firstReadError: !snapshot && query.isError ? query.error : null,
    updatedAt: query.dataUpdatedAt,
    unreachableSince,
    streamDown: polling || streamFailed,
    streamFailed,
    failureCount: query.failureCount,
    applyLocal,
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
