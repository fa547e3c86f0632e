import { useLiveSnapshot, useTRPC } from '@dispatch/web';
import { skipToken } from '@tanstack/react-query';
import { useRef } from 'react';
import type { AssignmentCard, QueueEvent } from '../api-types.ts';
import { applyQueueEvent, queueViewOf } from './queue-state.ts';

/** While live, a slow re-read still compacts the event log and is a safety net; while down, poll. */
const LIVE_RESYNC_MS = 60_000;
const NO_CARDS: ReadonlyMap<string, AssignmentCard> = new Map();

export interface QueueFeed {
  status: 'loading' | 'error' | 'ready';
  error: unknown;
  /** The live stream failed and is being restarted; the list polls meanwhile. */
  streamFailed: boolean;
  cards: ReadonlyMap<string, AssignmentCard>;
  dispatchMode: 'broadcast' | 'targeted' | null;
  /** Applies this tab's own result (an accepted card, a lost race) before the stream confirms it. */
  applyLocal(event: QueueEvent): void;
  refetch(): void;
}

/**
 * The live queue, on the shared live-snapshot pattern: `queue.list` is the truth, `queue.onChange`
 * (from the list's position) keeps it current, every reconnect or return online re-reads the list.
 * Events fold into the cards without a re-read per event (a busy queue would re-read constantly).
 * `onStreamEvent` sees each streamed event with the cards as they were just before it (for "taken
 * by another mechanic").
 */
export function useQueueFeed(
  onStreamEvent: (event: QueueEvent, before: ReadonlyMap<string, AssignmentCard>) => void,
): QueueFeed {
  const trpc = useTRPC();
  const onStreamEventRef = useRef(onStreamEvent);
  onStreamEventRef.current = onStreamEvent;
  const live = useLiveSnapshot({
    query: { ...trpc.queue.list.queryOptions(), staleTime: 0, refetchIntervalInBackground: true },
    subscription: (position) =>
      trpc.queue.onChange.subscriptionOptions(position === null ? skipToken : { lastEventId: position }),
    view: queueViewOf,
    apply: applyQueueEvent,
    onEvent: (event, before) => onStreamEventRef.current(event, before?.cards ?? NO_CARDS),
    refetchOnEvent: false,
    liveResyncMs: LIVE_RESYNC_MS,
  });
  return {
    status: live.data ? 'ready' : live.firstReadError ? 'error' : 'loading',
    error: live.firstReadError ?? live.error,
    streamFailed: live.streamFailed,
    cards: live.data?.cards ?? NO_CARDS,
    dispatchMode: live.data?.dispatchMode ?? null,
    applyLocal: live.applyLocal,
    refetch: live.refetch,
  };
}
