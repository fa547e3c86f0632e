import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from 'react';
import type { WsClient } from './client.ts';
import { clockTimeWithSeconds } from './time-format.ts';

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface Connection {
  status: ConnectionStatus;
  /** When the last live event arrived (for "last event 12 s ago"). */
  lastEventAt: Date | null;
  /** Increments each time the socket comes back after a drop: re-sync on change. */
  reconnects: number;
  markEvent(): void;
}

const ConnectionContext = createContext<Connection | null>(null);

/** Derives live / reconnecting / offline from the socket's state and the browser's network state. */
export function ConnectionProvider({ wsClient, children }: { wsClient: WsClient; children: ReactNode }) {
  const [socket, setSocket] = useState<'idle' | 'connecting' | 'open' | 'failing'>('idle');
  const [online, setOnline] = useState(() => navigator.onLine);
  const [lastEventAt, setLastEventAt] = useState<Date | null>(null);
  const [reconnects, setReconnects] = useState(0);
  const wasOpen = useRef(false);

  useEffect(() => {
    const subscription = wsClient.connectionState.subscribe({
      next: (state) => {
        if (state.state === 'pending') {
          if (wasOpen.current) setReconnects((n) => n + 1);
          wasOpen.current = true;
          setSocket('open');
        } else if (state.state === 'connecting') {
          setSocket(state.error || wasOpen.current ? 'failing' : 'connecting');
        } else {
          setSocket('idle');
        }
      },
    });
    return () => subscription.unsubscribe();
  }, [wsClient]);

  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, []);

  const status: ConnectionStatus = !online
    ? 'offline'
    : socket === 'open'
      ? 'live'
      : socket === 'failing'
        ? 'reconnecting'
        : 'connecting';
  const value: Connection = { status, lastEventAt, reconnects, markEvent: () => setLastEventAt(new Date()) };
  return <ConnectionContext.Provider value={value}>{children}</ConnectionContext.Provider>;
}

export function useConnection(): Connection {
  const connection = useContext(ConnectionContext);
  if (!connection) throw new Error('useConnection needs a ConnectionProvider');
  return connection;
}

/** While the socket is not live, poll this often; otherwise the stream keeps data fresh. */
export function usePollingFallback(intervalMs = 5_000): number | false {
  const { status } = useConnection();
  return status === 'live' ? false : intervalMs;
}

const LABELS: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** A small status pill; screen readers hear changes politely. */
export function ConnectionIndicator({ showLastEvent = false }: { showLastEvent?: boolean }) {
  const { status, lastEventAt } = useConnection();
  return (
    <output className={`connection connection--${status}`} aria-live="polite" data-status={status}>
      <span className="connection__dot" aria-hidden="true" />
      {LABELS[status]}
      {showLastEvent && lastEventAt ? (
        <span className="connection__last"> · last event {clockTimeWithSeconds(lastEventAt)}</span>
      ) : null}
    </output>
  );
}
