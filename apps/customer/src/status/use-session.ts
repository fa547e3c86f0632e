import { usePollingFallback, useTRPC } from '@dispatch/web';

/** `session.get` for one session; polls while the live connection is down. */
export function useSessionQueryOptions(sessionId: string) {
  const trpc = useTRPC();
  const refetchInterval = usePollingFallback();
  return trpc.session.get.queryOptions({ sessionId }, { refetchInterval, staleTime: 0 });
}
