import { clockTimeWithSeconds, errorMessage, useConnection, useTRPC } from '@dispatch/web';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { chosenAvailability, type DashboardStatus, type MechanicPresence } from './status.ts';

interface Props {
  mechanic: MechanicPresence | null;
  status: DashboardStatus;
}

/**
 * The mechanic's choice (Available / Away, never neither) and, beside it, one status that combines
 * the choice, what the server sees and the connection: it never says "Live" beside "offline".
 */
export function AvailabilitySwitch({ mechanic, status }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const name = useId();
  const statusKey = trpc.mechanic.status.queryKey();
  const setAvailability = useMutation(
    trpc.mechanic.setAvailability.mutationOptions({
      onSuccess: (result) => queryClient.setQueryData(statusKey, result),
      onSettled: () => queryClient.invalidateQueries({ queryKey: statusKey }),
    }),
  );
  const { lastEventAt, status: connection } = useConnection();
  // The click's choice shows at once (a controlled radio would otherwise snap back for a moment).
  const [choice, setChoice] = useState<'available' | 'away' | null>(null);
  const chosen = choice ?? (mechanic ? chosenAvailability(mechanic) : null);
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
      <output
        className={`connection status status--${status.kind}`}
        aria-live="polite"
        data-status={connection}
        data-presence={mechanic?.presence ?? 'offline'}
        data-state={status.kind}
        title={`${status.detail}${lastEventAt ? ` Last event ${clockTimeWithSeconds(lastEventAt)}.` : ''}`}
      >
        <span className="connection__dot" aria-hidden="true" />
        {status.label}
      </output>
      {setAvailability.error ? (
        <span role="alert" className="form-error">
          {errorMessage(setAvailability.error)}
        </span>
      ) : null}
    </div>
  );
}

/** Sets Available from anywhere (the greyed cards' "Go available" button). */
export function useGoAvailable(): { goAvailable(): void; pending: boolean } {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const statusKey = trpc.mechanic.status.queryKey();
  const mutation = useMutation(
    trpc.mechanic.setAvailability.mutationOptions({
      onSuccess: (result) => queryClient.setQueryData(statusKey, result),
      onSettled: () => queryClient.invalidateQueries({ queryKey: statusKey }),
    }),
  );
  return { goAvailable: () => mutation.mutate({ availability: 'available' }), pending: mutation.isPending };
}
