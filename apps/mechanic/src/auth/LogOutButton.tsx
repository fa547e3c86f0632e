import { errorMessage, useTRPC } from '@dispatch/web';
import { useMutation } from '@tanstack/react-query';

/**
 * Logs out, then reloads the dashboard: the WebSocket is authenticated when it opens, so a fresh page
 * is the one sure way to drop the old session's socket, caches and alerts together.
 */
export function LogOutButton() {
  const trpc = useTRPC();
  const logOut = useMutation(
    trpc.auth.logOut.mutationOptions({ onSuccess: () => window.location.assign(import.meta.env.BASE_URL) }),
  );
  return (
    <>
      <button
        type="button"
        className="button button--quiet"
        onClick={() => logOut.mutate()}
        disabled={logOut.isPending}
      >
        Log out
      </button>
      {logOut.error ? (
        <span role="alert" className="form-error">
          {errorMessage(logOut.error)}
        </span>
      ) : null}
    </>
  );
}
