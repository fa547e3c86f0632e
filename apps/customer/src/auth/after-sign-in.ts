import type { RouterOutputs } from '@dispatch/api/client-types';
import { useTRPC } from '@dispatch/web';
import { useQueryClient } from '@tanstack/react-query';
import { hasContent, loadDraft } from '../intake/draft.ts';
import { navigate, parseRoute, type Route } from '../routing.ts';

/**
 * Where a customer goes once logged in or signed up: a request link they opened stays put; a
 * booking drafted before signing in goes back to the form to be sent; otherwise their open
 * request, or the booking form. The log-in page leaves history (replace), so Back skips it.
 */
export function useAfterSignIn() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return async (user: { id: string; email: string; displayName: string; role: string }) => {
    const here = parseRoute(window.location.hash);
    let destination: Route = here.name === 'session' ? here : { name: 'book' };
    const stored = loadDraft();
    if (here.name !== 'session' && !(stored && hasContent(stored.draft))) {
      try {
        const open = await queryClient.fetchQuery({ ...trpc.session.current.queryOptions(), staleTime: 0 });
        if (open) destination = { name: 'session', sessionId: open.sessionId };
      } catch {
        // The booking form says so if an open request exists.
      }
    }
    // Signed in from here on, in the same render as the new URL: no screen of the signed-out app
    // (such as the booking form before sign-up) flashes in between. `auth.me` then says the rest.
    queryClient.setQueryData(
      trpc.auth.me.queryKey(),
      (old) => old ?? ({ ...user, mechanic: null } as NonNullable<RouterOutputs['auth']['me']>),
    );
    navigate(destination, { replace: true });
    await queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
  };
}
