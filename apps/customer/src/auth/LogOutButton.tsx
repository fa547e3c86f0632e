import { useLogOut } from '@dispatch/web';
import { useState } from 'react';
import { clearDraft } from '../intake/draft.ts';
import { navigate } from '../routing.ts';

/** Ends the session on the server, closes the socket, forgets every cached answer, then the log-in page. */
export function LogOutButton() {
  const { logOut, pending } = useLogOut();
  const [failed, setFailed] = useState(false);
  return (
    <>
      <button
        type="button"
        className="button button--quiet"
        onClick={async () => {
          setFailed(false);
          const result = await logOut();
          if (!result.ok) return setFailed(true);
          // The next person on this device must not find this one's booking draft.
          clearDraft();
          navigate({ name: 'log-in' }, { replace: true });
        }}
        disabled={pending}
      >
        {pending ? 'Logging out…' : 'Log out'}
      </button>
      {failed ? (
        <span className="topbar__error" role="alert">
          Not logged out: we cannot reach the server.
        </span>
      ) : null}
    </>
  );
}
