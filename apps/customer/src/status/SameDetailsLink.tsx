import { draftFromSession, saveDraft } from '../intake/draft.ts';
import { hrefFor, navigate } from '../routing.ts';
import type { SessionDetails } from './headline.ts';

/** After a timeout or a cancellation: book again without typing it all again. */
export function SameDetailsLink({ session }: { session: SessionDetails }) {
  return (
    <a
      className="button button--primary"
      href={hrefFor({ name: 'book' })}
      onClick={(event) => {
        event.preventDefault();
        saveDraft(draftFromSession(session));
        navigate({ name: 'book' });
      }}
    >
      Try again with the same details
    </a>
  );
}
