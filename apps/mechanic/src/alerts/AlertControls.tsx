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
        className={`button button--quiet${alerts.soundBlocked ? ' button--warning' : ''}`}
        aria-pressed={alerts.soundOn}
        onClick={alerts.toggleSound}
      >
        {alerts.soundOn
          ? alerts.soundBlocked
            ? 'Sound on (muted by browser)'
            : 'Sound on'
          : 'Turn sound on'}
      </button>
    </fieldset>
  );
}

/** After a reload the browser mutes audio until a click: say so prominently, with the one click. */
export function SoundBlockedBanner({ alerts }: { alerts: Alerts }) {
  if (!alerts.soundOn || !alerts.soundBlocked) return null;
  return (
    <div className="banner banner--alarm" role="alert">
      <span>
        <strong>Sound is off.</strong> You had sound on, but after the reload the browser muted it until you
        click.
      </span>
      <button type="button" className="button button--primary" onClick={alerts.resumeSound}>
        Turn sound back on
      </button>
    </div>
  );
}
