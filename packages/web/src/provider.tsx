import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
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
          mutations: { retry: false },
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
