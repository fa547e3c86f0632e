import { comparePositions, type Position, parsePosition } from '@dispatch/domain';
import { useConnection, usePollingFallback, useTRPC } from '@dispatch/web';
import { skipToken, useQuery } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AssignmentCard, QueueEvent } from '../api-types.ts';
import { currentCards, type LoggedEvent, pruneLog } from './queue-state.ts';

/** While live, a slow re-sync still compacts the event log and is a safety net; while down, poll. */
const LIVE_RESYNC_MS = 60_000;

export interface QueueFeed {
  status: 'loading' | 'error' | 'ready';
  error: unknown;
  /** The live stream failed and is being restarted; the list polls meanwhile. */
  streamFailed: boolean;
  cards: Map<string, AssignmentCard>;
  dispatchMode: 'broadcast' | 'targeted' | null;
  /** Applies this tab's own result (an accepted card, a lost race) before the stream confirms it. */
  applyLocal(event: QueueEvent): void;
  refetch(): void;
}

/**
 * The live queue: `queue.list` is the truth, `queue.onChange` (subscribed from the list's position)
 * keeps it current, and every reconnect or return online re-syncs the list. `onStreamEvent` sees
 * each streamed event with the cards as they were just before it (for "taken by another mechanic").
 */
export function useQueueFeed(
  onStreamEvent: (event: QueueEvent, before: ReadonlyMap<string, AssignmentCard>) => void,
): QueueFeed {
  const trpc = useTRPC();
  const connection = useConnection();
  const polling = usePollingFallback(5_000);
  const list = useQuery({
    ...trpc.queue.list.queryOptions(),
    refetchInterval: () => (polling === false && !streamFailedRef.current ? LIVE_RESYNC_MS : 5_000),
    refetchIntervalInBackground: true,
    staleTime: 0,
  });
  const [log, setLog] = useState<LoggedEvent[]>([]);
  const streamFailedRef = useRef(false);
  const refetchRef = useRef<() => Promise<unknown>>(async () => {});
  // Subscribe once, from the first snapshot's position; wsLink resumes from the last event after drops.
  const [start, setStart] = useState<string | null>(null);
  const snapshot = list.data;
  if (snapshot && start === null) setStart(snapshot.position);

  const cards = useMemo(
    () => (snapshot ? currentCards(snapshot, log) : new Map<string, AssignmentCard>()),
    [snapshot, log],
  );
  const cardsRef = useRef(cards);
  cardsRef.current = cards;
  const onStreamEventRef = useRef(onStreamEvent);
  onStreamEventRef.current = onStreamEvent;

  useEffect(() => {
    if (snapshot) setLog((current) => pruneLog(current, snapshot.position));
  }, [snapshot]);

  const { markEvent, reconnects } = connection;
  // Stream positions only grow; one at or below the last seen is a replay (after a restart) and skipped.
  const lastSeen = useRef<{ text: string; position: Position } | null>(null);
  const subscription = useSubscription(
    trpc.queue.onChange.subscriptionOptions(start === null ? skipToken : { lastEventId: start }, {
      onData: (tracked) => {
        markEvent();
        // The server could not continue from our position: the snapshot is the truth again.
        if (tracked.data.kind === 'resync') {
          setLog([]);
          void refetchRef.current();
          return;
        }
        const position = parsePosition(tracked.id);
        if (position && lastSeen.current && comparePositions(position, lastSeen.current.position) <= 0)
          return;
        if (position) lastSeen.current = { text: tracked.id, position };
        onStreamEventRef.current(tracked.data, cardsRef.current);
        setLog((current) => [...current, { position, event: tracked.data }]);
      },
    }),
  );
  const { reset } = subscription;
  /** A fresh subscription, resuming from the last event seen. */
  const restart = useCallback(() => {
    const from = lastSeen.current?.text;
    if (from && from !== start) setStart(from);
    else reset();
  }, [start, reset]);

  // A subscription the server ended with an error (say, a restart mid-request) is restarted after a
  // pause; until then the list polls, so the queue never silently goes stale while the socket is up.
  const streamFailed = subscription.status === 'error';
  streamFailedRef.current = streamFailed;
  useEffect(() => {
    if (!streamFailed) return;
    const timer = setTimeout(restart, 3_000);
    return () => clearTimeout(timer);
  }, [streamFailed, restart]);

  const { refetch } = list;
  refetchRef.current = refetch;
  // The list is the truth: re-sync whenever the socket comes back or the browser is online again.
  useEffect(() => {
    if (reconnects > 0) void refetch();
  }, [reconnects, refetch]);
  useEffect(() => {
    const resync = () => void refetch();
    window.addEventListener('online', resync);
    return () => window.removeEventListener('online', resync);
  }, [refetch]);

  const applyLocal = useCallback((event: QueueEvent) => {
    setLog((current) => [...current, { position: null, event }]);
  }, []);

  return {
    status: snapshot ? 'ready' : list.isError ? 'error' : 'loading',
    error: list.error,
    streamFailed,
    cards,
    dispatchMode: snapshot?.dispatchMode ?? null,
    applyLocal,
    refetch: () => void refetch(),
  };
}
