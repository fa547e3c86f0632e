import type { SessionType } from '@dispatch/domain';

/** One session that went back to the queue while its mechanic had no connection (`stats.mine`). */
export interface ReturnedSession {
  assignmentId: string;
  reason: string;
  at: string;
  sessionType: SessionType;
  vehicle: { year: number; make: string; model: string };
}

const TYPE_TEXT: Record<SessionType, string> = {
  video: 'video call',
  chat: 'chat',
  diagnostic: 'diagnostic session',
  in_person: 'in-person visit',
};

/**
 * "Your in-person visit for 2019 Subaru Outback went back to the queue at 15:42 because your
 * dashboard had no connection for 3 min." The span comes from the reason the dispatcher wrote
 * (the domain's strandedReason), so it says what the server was configured with.
 */
export function returnedText(r: ReturnedSession, locale?: string): string {
  const time = new Date(r.at).toLocaleTimeString(locale ?? [], {
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
  const span = /no connection for ([^;]+)/.exec(r.reason)?.[1]?.trim();
  const vehicle = `${r.vehicle.year} ${r.vehicle.make} ${r.vehicle.model}`;
  return (
    `Your ${TYPE_TEXT[r.sessionType]} for ${vehicle} went back to the queue at ${time} because your ` +
    `dashboard had no connection${span ? ` for ${span}` : ''}.`
  );
}

/** Remembered per browser so a dismissed notice does not come back on the next reload. */
export function returnedKey(r: Pick<ReturnedSession, 'assignmentId' | 'at'>): string {
  return `returned:${r.assignmentId}:${r.at}`;
}
