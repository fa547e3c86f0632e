import { errorMessage, useTRPC } from '@dispatch/web';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { AdminMechanic } from '../api-types.ts';
import { useNotice } from '../notices/notices.tsx';
import { fullTime } from './filters.ts';

const PRESENCE_TEXT: Record<AdminMechanic['presence'], string> = {
  available: 'Available',
  away: 'Away',
  offline: 'Offline',
};

function presenceDetail(m: AdminMechanic): string {
  if (m.presence === 'away')
    return m.awaySetAt
      ? `since ${fullTime(m.awaySetAt).slice(11, 19)}${m.awayReason ? ` · ${m.awayReason}` : ''}`
      : '';
  if (m.presence === 'offline')
    return m.lastSeenAt ? `· last seen ${fullTime(m.lastSeenAt).slice(0, 19)}` : '· never connected';
  return m.availability !== m.presence ? `· chose ${m.availability}` : '';
}

function loadText(m: AdminMechanic): string {
  const virtual = `${m.load.virtual} / ${m.virtualCapacity} virtual`;
  return m.load.inPerson > 0 ? `${virtual} · on an in-person visit` : virtual;
}

/** Every mechanic: presence, availability, load against capacity, connections, an open offer. */
export function MechanicsPanel({
  mechanics,
  status,
  error,
}: {
  mechanics: AdminMechanic[];
  status: 'pending' | 'error' | 'success';
  error: unknown;
}) {
  const online = mechanics.filter((m) => m.presence !== 'offline').length;
  return (
    <section aria-labelledby="mechanics-heading" className="panel">
      <header className="panel__header">
        <h2 id="mechanics-heading">
          Mechanics <span className="count">{status === 'success' ? mechanics.length : ''}</span>
        </h2>
        <p className="panel__hint">
          {status === 'success' ? `${online} online · refreshed every 3 s` : 'Presence, load and connections'}
        </p>
      </header>
      {status === 'pending' ? (
        <p className="empty" aria-busy="true">
          Loading mechanics…
        </p>
      ) : status === 'error' ? (
        <p className="empty empty--error" role="alert">
          Could not load mechanics: {errorMessage(error)}
        </p>
      ) : mechanics.length === 0 ? (
        <p className="empty">No mechanics yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="table mechanics">
            <thead>
              <tr>
                <th scope="col">Mechanic</th>
                <th scope="col">Works</th>
                <th scope="col">Presence</th>
                <th scope="col">Load</th>
                <th scope="col">Connections</th>
                <th scope="col">
                  <span className="visually-hidden">Capacity</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {mechanics.map((m) => (
                <tr key={m.mechanicId} data-mechanic-id={m.mechanicId}>
                  <th scope="row">
                    {m.displayName}
                    {m.hasOpenOffer ? <span className="tag tag--offer">Holds an offer</span> : null}
                  </th>
                  <td data-label="Works">
                    {m.kind === 'virtual_only' ? 'Virtual only' : (m.workshopName ?? 'Workshop')}
                  </td>
                  <td data-label="Presence">
                    <span className={`presence presence--${m.presence}`}>{PRESENCE_TEXT[m.presence]}</span>{' '}
                    <span className="muted">{presenceDetail(m)}</span>
                  </td>
                  <td data-label="Load">{loadText(m)}</td>
                  <td data-label="Connections">{m.connections}</td>
                  <td className="table__action">
                    <CapacityControl mechanic={m} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function CapacityControl({ mechanic }: { mechanic: AdminMechanic }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const notice = useNotice();
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(String(mechanic.virtualCapacity));
  const [reason, setReason] = useState('');
  const save = useMutation(
    trpc.admin.setCapacity.mutationOptions({
      onSuccess: (result) => {
        notice(
          `${mechanic.displayName} now takes ${result.virtualCapacity} live virtual session(s) at once`,
          'success',
        );
        setOpen(false);
        void queryClient.invalidateQueries({ queryKey: trpc.admin.mechanics.queryKey() });
      },
    }),
  );
  if (!open) {
    return (
      <button type="button" className="button button--quiet" onClick={() => setOpen(true)}>
        Capacity<span className="visually-hidden"> of {mechanic.displayName}</span>
      </button>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ mechanicId: mechanic.mechanicId, virtualCapacity: Number(value), reason });
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label={`Capacity of ${mechanic.displayName}`}>
      <label>
        Live virtual sessions
        <input
          type="number"
          min={0}
          max={5}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          required
        />
      </label>
      <label>
        Reason
        <input value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={500} />
      </label>
      <div className="inline-form__actions">
        <button type="submit" className="button button--primary" disabled={save.isPending}>
          Save
        </button>
        <button type="button" className="button button--quiet" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      {save.isError ? (
        <p className="form-error" role="alert">
          {errorMessage(save.error)}
        </p>
      ) : null}
    </form>
  );
}
