import { calendarDay, dayAndTime, errorMessage, useTRPC } from '@dispatch/web';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { PushState } from '../push/usePush.ts';

/**
 * Alerts on this mechanic's devices: turn Web Push on for this browser (an explicit click, never a
 * prompt on load), see every subscribed device and remove one.
 */
export function SettingsPanel({ push, onClose }: { push: PushState; onClose(): void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const devices = useQuery(trpc.push.devices.queryOptions());
  const remove = useMutation(
    trpc.push.removeDevice.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.push.devices.queryKey() }),
    }),
  );
  const thisTail = push.endpoint?.slice(-16) ?? null;
  return (
    <section className="panel panel--settings" aria-labelledby="settings-title">
      <header className="panel__header">
        <h2 id="settings-title">Alerts on your devices</h2>
        <button type="button" className="button button--quiet" onClick={onClose}>
          Close settings
        </button>
      </header>
      <p className="muted">
        With push alerts on, a device is alerted about new requests even when this dashboard is closed or the
        screen is locked — only while you are Available.
      </p>
      {push.support === 'needs-install' ? (
        <p className="banner">
          On iPhone and iPad: tap Share, then “Add to Home Screen”, and open the dashboard from there to turn
          on alerts.
        </p>
      ) : push.support === 'unsupported' ? (
        <p className="banner">This browser cannot receive push alerts.</p>
      ) : push.endpoint ? (
        <p>
          Push alerts are on for this device.{' '}
          <button
            type="button"
            className="button button--secondary"
            onClick={push.disable}
            disabled={push.busy}
          >
            Turn off on this device
          </button>
        </p>
      ) : (
        <p>
          <button type="button" className="button button--primary" onClick={push.enable} disabled={push.busy}>
            {push.busy ? 'Turning on…' : 'Turn on push alerts on this device'}
          </button>
        </p>
      )}
      {push.error ? (
        <p role="alert" className="form-error">
          {push.error}
        </p>
      ) : null}
      <h3>Subscribed devices</h3>
      {devices.isPending ? (
        <p className="muted">Loading…</p>
      ) : devices.isError ? (
        <p role="alert">Could not load your devices: {errorMessage(devices.error)}</p>
      ) : devices.data.length === 0 ? (
        <p className="muted">No device gets push alerts yet.</p>
      ) : (
        <ul className="devices" aria-label="Subscribed devices">
          {devices.data.map((device) => (
            <li key={device.id} data-device-id={device.id}>
              <span>
                <strong>{device.label}</strong>
                {device.endpointTail === thisTail ? ' (this device)' : ''}
                <span className="muted">
                  {' '}
                  · since {calendarDay(device.createdAt)}
                  {device.lastSuccessAt
                    ? ` · last alert ${dayAndTime(device.lastSuccessAt)}`
                    : ' · no alert yet'}
                </span>
              </span>
              <button
                type="button"
                className="button button--secondary"
                onClick={() => remove.mutate({ id: device.id })}
                disabled={remove.isPending}
                aria-label={`Remove ${device.label}`}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
