import { hashKey, type QueryClient, type QueryKey, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { isUnreachable } from './errors.ts';
import { useWsClient } from './live-api-provider.tsx';
import { useTRPC, useTRPCClient } from './trpc.ts';

export interface LogOutDeps {
  /** Ends the session on the server (clears the cookie). */
  callServer: () => Promise<unknown>;
  wsClient: { close(): Promise<void> | void };
  queryClient: QueryClient;
  /** `auth.me`'s key: set to null (signed out) so the screen watching it switches to log-in. */
  meKey: QueryKey;
}

export type LogOutResult = { ok: true } | { ok: false; error: unknown };

/**
 * Signs out in one order for both apps: the server ends the session (clears the cookie), the
 * WebSocket closes (the next user's socket opens afresh and carries the new cookie, never this
 * one's), and everything this account saw leaves the cache. If the server cannot be reached the
 * cookie still stands, so nothing is pretended: the caller says "not logged out".
 */
export async function logOut({
  callServer,
  wsClient,
  queryClient,
  meKey,
}: LogOutDeps): Promise<LogOutResult> {
  try {
    await callServer();
  } catch (error) {
    if (isUnreachable(error)) return { ok: false, error };
    // Any other answer (already signed out, session expired) means the cookie is no longer good.
  }
  await wsClient.close();
  const me = hashKey(meKey);
  queryClient.setQueryData(meKey, null);
  // Clearing the whole cache would detach the screen from the `auth.me` query it is watching.
  queryClient.removeQueries({ predicate: (query) => query.queryHash !== me });
  queryClient.getMutationCache().clear();
  return { ok: true };
}

/** `logOut()` wired to this app's server, socket and cache. */
export function useLogOut(): { logOut: () => Promise<LogOutResult>; pending: boolean } {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const wsClient = useWsClient();
  const [pending, setPending] = useState(false);
  const run = useCallback(async () => {
    setPending(true);
    try {
      return await logOut({
        callServer: () => client.auth.logOut.mutate(),
        wsClient,
        queryClient,
        meKey: trpc.auth.me.queryKey(),
      });
    } finally {
      setPending(false);
    }
  }, [client, wsClient, queryClient, trpc]);
  return { logOut: run, pending };
}
