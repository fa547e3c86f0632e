import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import { type ReactNode, useState } from 'react';
import { createApiClient } from './client.ts';
import { ConnectionProvider } from './connection.tsx';
import { TRPCProvider } from './trpc.ts';

/** Everything an app needs to talk to the server: query cache, typed client, connection state. */
export function ApiProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: { staleTime: 5_000, retry: 2, refetchOnWindowFocus: true },
          // A refusal for load (SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS) says when to come back: the
          // same call, with the same input and so the same idempotency key, is retried then. A
          // mutation's `failureCount` > 0 while pending is the "busy, retrying" state to show.
          mutations: {
            retry: (failures, error) => retryAfterMsOf(error) !== null && failures < 4,
            retryDelay: (_attempt, error) => retryAfterMsOf(error) ?? 1000,
          },
        },
      }),
  );
  const [{ trpcClient, wsClient }] = useState(() => createApiClient());
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <ConnectionProvider wsClient={wsClient}>{children}</ConnectionProvider>
      </TRPCProvider>
    </QueryClientProvider>
  );
}

/** The server's retry hint on a busy refusal, or null for any other error. */
export function retryAfterMsOf(error: unknown): number | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data = error.data as { code?: string; retryAfterMs?: number | null } | undefined;
  if (data?.code !== 'SERVICE_UNAVAILABLE' && data?.code !== 'TOO_MANY_REQUESTS') return null;
  return typeof data.retryAfterMs === 'number' ? Math.min(data.retryAfterMs, 30_000) : null;
}
