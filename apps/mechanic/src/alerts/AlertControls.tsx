import type { Alerts } from './useAlerts.ts';

/** Alerts are switched on by the mechanic, with buttons: never a permission prompt on load. */
export function AlertControls({ alerts }: { alerts: Alerts }) {
  return (
    <fieldset className="alert-controls">
      <legend className="visually-hidden">Alerts</legend>
      {alerts.permission === 'default' ? (
        <button type="button" className="button button--quiet" onClick={alerts.requestPermission}>
          Enable desktop alerts
        </button>
      ) : (
        <span className="pill">
          {alerts.permission === 'granted'
            ? 'Desktop alerts on'
            : alerts.permission === 'denied'
              ? 'Desktop alerts blocked in browser settings'
              : 'No desktop alerts in this browser'}
        </span>
      )}
      <button
        type="button"
        className="button button--quiet"
        aria-pressed={alerts.soundOn}
        onClick={alerts.toggleSound}
      >
        {alerts.soundOn ? 'Sound on' : 'Turn sound on'}
      </button>
    </fieldset>
  );
}
