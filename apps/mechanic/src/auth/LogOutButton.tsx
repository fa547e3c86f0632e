import { errorMessage, useLogOut } from '@dispatch/web';
import { useState } from 'react';

/**
 * Logs out the way both apps do (packages/web logOut): the server ends the session, the socket
 * closes (the next user's opens afresh with the new cookie), and the cache forgets this account;
 * the dashboard then shows the log-in form. If the server cannot be reached, it says so.
 */
export function LogOutButton() {
  const { logOut, pending } = useLogOut();
  const [failure, setFailure] = useState<unknown>(null);
  return (
    <>
      <button
        type="button"
        className="button button--quiet"
        onClick={() => void logOut().then((result) => setFailure(result.ok ? null : result.error))}
        disabled={pending}
      >
        Log out
      </button>
      {failure ? (
        <span role="alert" className="form-error">
          Not logged out: {errorMessage(failure)}
        </span>
      ) : null}
    </>
  );
}
