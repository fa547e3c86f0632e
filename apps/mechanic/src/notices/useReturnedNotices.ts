import { useTRPC } from '@dispatch/web';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useNotice } from './notices.tsx';
import { returnedKey, returnedText } from './returned.ts';

const STORE = 'dispatch.returned-dismissed';

function dismissed(): Set<string> {
  try {
    const raw = localStorage.getItem(STORE);
    return new Set(raw ? (JSON.parse(raw) as string[]) : []);
  } catch {
    return new Set();
  }
}

function remember(key: string) {
  try {
    // The server only reports the last day's returns: the newest fifty keys are plenty.
    localStorage.setItem(STORE, JSON.stringify([...dismissed(), key].slice(-50)));
  } catch {
    // Storage off: the notice simply comes back on the next load.
  }
}

/**
 * Issue #13: a session that went back to the queue because this dashboard had no connection is
 * news when the mechanic comes back (a reload, a new log-in, the connection returning). It stays
 * on screen until dismissed, and a dismissed one does not come back in this browser.
 * Reads `stats.mine`, which useCapacity already polls (one shared query).
 */
export function useReturnedNotices(enabled: boolean) {
  const trpc = useTRPC();
  const notice = useNotice();
  const { data } = useQuery({ ...trpc.stats.mine.queryOptions(), enabled, refetchInterval: 15_000 });
  const returned = data?.returnedWhileAway;
  useEffect(() => {
    if (!returned) return;
    const gone = dismissed();
    // Oldest first, so the newest ends at the bottom like any other notice.
    for (const r of [...returned].reverse()) {
      const key = returnedKey(r);
      if (gone.has(key)) continue;
      notice(returnedText(r), 'warning', key, { sticky: true, onDismiss: () => remember(key) });
    }
  }, [returned, notice]);
}
