import { errorMessage, useConnection, useTRPC } from '@dispatch/web';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import type { Me } from '../api-types.ts';

type Mechanic = NonNullable<Me['mechanic']>;

const PRESENCE_TEXT: Record<Mechanic['presence'], string> = {
  available: 'Seen as available',
  away: 'Seen as away',
  offline: 'Seen as offline',
};

/** The mechanic's own choice (available / away) next to what the server actually sees. */
export function AvailabilitySwitch({ mechanic }: { mechanic: Mechanic }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const name = useId();
  const meKey = trpc.auth.me.queryKey();
  const setAvailability = useMutation(
    trpc.mechanic.setAvailability.mutationOptions({
      // Optimistic: the switch moves at once; the server's answer (and presence) follows.
      onMutate: async ({ availability }) => {
        await queryClient.cancelQueries({ queryKey: meKey });
        const before = queryClient.getQueryData(meKey);
        queryClient.setQueryData(meKey, (me) =>
          me?.mechanic ? { ...me, mechanic: { ...me.mechanic, availability } } : me,
        );
        return { before };
      },
      onError: (_error, _input, context) => queryClient.setQueryData(meKey, context?.before),
      onSettled: () => queryClient.invalidateQueries({ queryKey: meKey }),
    }),
  );
  // Presence changes when this dashboard's socket connects or drops: ask the server again then.
  const { status } = useConnection();
  useEffect(() => {
    if (status === 'live' || status === 'offline')
      void queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
  }, [status, queryClient, trpc]);
  // The click's choice shows at once (a controlled radio would otherwise snap back for a moment).
  const [choice, setChoice] = useState<'available' | 'away' | null>(null);
  const chosen = choice ?? mechanic.availability;
  const choose = (availability: 'available' | 'away') => {
    setChoice(availability);
    setAvailability.mutate({ availability }, { onSettled: () => setChoice(null) });
  };
  return (
    <div className="availability">
      <fieldset className="segmented">
        <legend className="visually-hidden">Availability</legend>
        {(['available', 'away'] as const).map((value) => (
          <label key={value} className={`segmented__option segmented__option--${value}`}>
            <input
              type="radio"
              name={name}
              value={value}
              checked={chosen === value}
              onChange={() => choose(value)}
            />
            {value === 'available' ? 'Available' : 'Away'}
          </label>
        ))}
      </fieldset>
      <span
        className={`presence presence--${mechanic.presence}`}
        data-presence={mechanic.presence}
        title="Your presence as the server sees it: offers go only to available, connected mechanics"
      >
        {PRESENCE_TEXT[mechanic.presence]}
      </span>
      {setAvailability.error ? (
        <span role="alert" className="form-error">
          {errorMessage(setAvailability.error)}
        </span>
      ) : null}
    </div>
  );
}
