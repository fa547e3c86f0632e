import type { AppRouter } from '@dispatch/api/client-types';
import { createTRPCClient, createWSClient, httpBatchLink, httpLink, splitLink, wsLink } from '@trpc/client';

export type WsClient = ReturnType<typeof createWSClient>;

/** Exponential back-off with jitter, 0.5 s up to 10 s, so a restarting server is not stampeded. */
export function reconnectDelayMs(attempt: number): number {
  const base = Math.min(10_000, 500 * 2 ** attempt);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

/**
 * Queries over batched HTTP; mutations one per request over plain HTTP (the server answers a lone
 * mutation without tRPC's Request/Response conversion, apps/server/src/http/trpc-mutations.ts,
 * and a user's actions rarely overlap enough to batch); subscriptions over one WebSocket that connects only
 * while a subscription is open (after log-in, when the session cookie exists), pings every 10 s,
 * reconnects with back-off and resumes each subscription from its last event id. A video call's
 * signals go over that socket too: the call's subscription holds it open, and no HTTP round trip
 * (nor a batch waiting for others) sits between an ICE candidate and the peer.
 */
export function createApiClient(origin: string = window.location.origin) {
  const wsClient = createWSClient({
    url: `${origin.replace(/^http/, 'ws')}/trpc`,
    lazy: { enabled: true, closeMs: 5_000 },
    keepAlive: { enabled: true, intervalMs: 10_000, pongTimeoutMs: 4_000 },
    retryDelayMs: reconnectDelayMs,
  });
  const trpcClient = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription' || op.path === 'videoCall.signal',
        true: wsLink({ client: wsClient }),
        false: splitLink({
          condition: (op) => op.type === 'mutation',
          true: httpLink({ url: `${origin}/trpc` }),
          false: httpBatchLink({ url: `${origin}/trpc` }),
        }),
      }),
    ],
  });
  return { trpcClient, wsClient };
}
