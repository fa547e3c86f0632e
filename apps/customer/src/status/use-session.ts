import { usePollingFallback, useTRPC } from '@dispatch/web';

const STREAM_FAILED_POLL_MS = 5_000;

/** `session.get` for one session; polls while the live connection is down or the stream failed. */
export function useSessionQueryOptions(sessionId: string, streamFailed: boolean) {
  const trpc = useTRPC();
  const fallback = usePollingFallback();
  const refetchInterval = streamFailed ? STREAM_FAILED_POLL_MS : fallback;
  return trpc.session.get.queryOptions({ sessionId }, { refetchInterval, staleTime: 0 });
}
