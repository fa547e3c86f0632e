import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { createApiClient, type WsClient } from './client.ts';
import { ConnectionProvider } from './connection.tsx';
import { retryAfterMsOf, retryDelayMs, retryQuery } from './errors.ts';
import { TRPCProvider, useTRPC } from './trpc.ts';

/** WebSocket close codes the server uses (see the protocol contract). */
export const CLOSE_SIGNED_OUT = 4001;
export const CLOSE_TOO_SLOW = 4008;

/**
 * A query client that survives outages: a query whose server is unreachable or busy keeps its data
 * and retries with back-off (0.5 s doubling to 4 s, or the server's retry hint) until it answers,
 * so a page opened during an outage recovers by itself within seconds of the server's return.
 * Mutations, as in ApiProvider: a busy refusal (SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS with a
 * hint) is retried after the hint with the same input, so the same idempotency key; an action
 * that may also be re-sent while the server is unreachable says so itself (booking, cancel, waiver).
 */
export function createLiveQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        retry: retryQuery,
        retryDelay: (attempt, error) => retryDelayMs(attempt, error),
        refetchOnWindowFocus: true,
      },
      mutations: {
        retry: (failures, error) => retryAfterMsOf(error) !== null && failures < 4,
        retryDelay: (_attempt, error) => retryAfterMsOf(error) ?? 1000,
      },
    },
  });
}

const WsClientContext = createContext<WsClient | null>(null);

/** The app's one WebSocket client (for `logOut()`, which must close it). */
export function useWsClient(): WsClient {
  const client = useContext(WsClientContext);
  if (!client) throw new Error('useWsClient needs a LiveApiProvider');
  return client;
}

/** The close code behind a tRPC WebSocket error, if any (the CloseEvent sits a few causes deep). */
export function closeCodeOf(error: unknown): number | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'number' && code >= 1000 && code < 5000) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/**
 * Like ApiProvider, with the outage-proof query client above, the WebSocket client in context, and
 * close code 4001 (signed out, session revoked) handled: the socket stops reconnecting as the old
 * user and `auth.me` is asked again. 4008 (too slow) needs nothing: the client reconnects and resumes.
 */
export function LiveApiProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createLiveQueryClient);
  const [{ trpcClient, wsClient }] = useState(() => createApiClient());
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <WsClientContext.Provider value={wsClient}>
          <SignedOutSocketWatch wsClient={wsClient} />
          <ConnectionProvider wsClient={wsClient}>{children}</ConnectionProvider>
        </WsClientContext.Provider>
      </TRPCProvider>
    </QueryClientProvider>
  );
}

function SignedOutSocketWatch({ wsClient }: { wsClient: WsClient }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useEffect(() => {
    const subscription = wsClient.connectionState.subscribe({
      next: (state) => {
        if (state.state !== 'connecting' || closeCodeOf(state.error) !== CLOSE_SIGNED_OUT) return;
        void wsClient.close();
        void queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
      },
    });
    return () => subscription.unsubscribe();
  }, [wsClient, queryClient, trpc]);
  return null;
}
