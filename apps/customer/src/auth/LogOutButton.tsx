import { useTRPC } from '@dispatch/web';
import { useMutation, useQueryClient } from '@tanstack/react-query';

/** Ends the session on the server, forgets every cached answer, and returns to the log-in screen. */
export function LogOutButton() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const logOut = useMutation(
    trpc.auth.logOut.mutationOptions({
      onSettled: () => {
        window.history.replaceState(null, '', '#/');
        // Signed out now; forget everything else this account saw. (Clearing the whole cache would
        // detach the screen from the `auth.me` query it is watching.)
        const me = trpc.auth.me.queryKey();
        queryClient.setQueryData(me, null);
        queryClient.removeQueries({
          predicate: (query) => JSON.stringify(query.queryKey) !== JSON.stringify(me),
        });
      },
    }),
  );
  return (
    <button
      type="button"
      className="button button--quiet"
      onClick={() => logOut.mutate()}
      disabled={logOut.isPending}
    >
      {logOut.isPending ? 'Logging out…' : 'Log out'}
    </button>
  );
}
