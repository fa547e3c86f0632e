import { type ClientReceiptChannel, MAX_RECEIPT_AGE_MS } from '@dispatch/domain';

/** A receipt waiting to be reported: what happened, to which card, when (this page's clock). */
interface Pending {
  sessionId: string;
  version: number;
  channel: ClientReceiptChannel;
  happenedAt: number;
}

/** Receipts beyond this many waiting are dropped: a dashboard offline for long reports the newest. */
const MAX_PENDING = 500;
/** Each (channel, session, version) is reported once per page load. */
const MAX_REMEMBERED = 5_000;

const pending: Pending[] = [];
const remembered = new Set<string>();

/**
 * Notes that this page did something with a card (had it on screen, announced it, beeped). Cheap
 * and synchronous: the reporter (useDisplayReceipts) sends what is noted in batches.
 */
export function noteReceipt(
  card: { sessionId: string; version: number },
  channel: ClientReceiptChannel,
): void {
  const key = `${channel}|${card.sessionId}|${card.version}`;
  if (remembered.has(key)) return;
  remembered.add(key);
  if (remembered.size > MAX_REMEMBERED) {
    const oldest = remembered.values().next().value;
    if (oldest !== undefined) remembered.delete(oldest);
  }
  if (pending.length >= MAX_PENDING) pending.shift();
  pending.push({ sessionId: card.sessionId, version: card.version, channel, happenedAt: Date.now() });
}

/** Up to `max` receipts to send now, as the server takes them (age, not a time: no clock skew). */
export function takeReceipts(max: number) {
  const now = Date.now();
  const batch = pending.splice(0, max).filter((p) => now - p.happenedAt <= MAX_RECEIPT_AGE_MS);
  return {
    items: batch.map((p) => ({
      sessionId: p.sessionId,
      version: p.version,
      channel: p.channel,
      ageMs: Math.max(0, now - p.happenedAt),
    })),
    /** Puts them back (the report failed); the next attempt sends them with their true age. */
    putBack: () => pending.unshift(...batch.slice(0, MAX_PENDING - pending.length)),
  };
}
