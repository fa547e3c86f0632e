import { useTRPC } from '@dispatch/web';
import { useQuery } from '@tanstack/react-query';

/** Who is signed in, with presence as the server sees it (refreshed so "offline" shows up). */
export function useMe() {
  const trpc = useTRPC();
  return useQuery({ ...trpc.auth.me.queryOptions(), refetchInterval: 20_000 });
}
