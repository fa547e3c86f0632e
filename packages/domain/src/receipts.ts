/**
 * Delivery receipts: what each mechanic's screen received and did with a request. A receipt names
 * ids, a position or card version, a channel, a server process and a time; never customer details.
 */
export const RECEIPT_CHANNELS = [
  /** A server process wrote the card to one of the mechanic's connections (stream or snapshot). */
  'delivered',
  /** The dashboard had the card on screen (rendered while the page was visible). */
  'shown',
  /** The dashboard announced it in the page (the "New request" toast). */
  'in_page',
  /** The dashboard raised a desktop notification. */
  'notification',
  /** The dashboard beeped (sound switched on and not blocked by the browser). */
  'sound',
  /** A server process handed a Web Push alert to the push service. */
  'push_sent',
  /** The service worker showed the push alert. */
  'push_shown',
  /** The mechanic clicked the push alert (or its Accept). */
  'push_clicked',
] as const;
export type ReceiptChannel = (typeof RECEIPT_CHANNELS)[number];

/** What a browser reports; `delivered` and `push_sent` are recorded by the server itself. */
export const CLIENT_RECEIPT_CHANNELS = [
  'shown',
  'in_page',
  'notification',
  'sound',
  'push_shown',
  'push_clicked',
] as const satisfies readonly ReceiptChannel[];
export type ClientReceiptChannel = (typeof CLIENT_RECEIPT_CHANNELS)[number];

/** The alert channels, in the order the panel names them. */
export const ALERT_CHANNELS = [
  'in_page',
  'notification',
  'sound',
  'push_sent',
  'push_shown',
  'push_clicked',
] as const satisfies readonly ReceiptChannel[];

/** Receipts one report may carry: a dashboard batches them about once a second. */
export const MAX_RECEIPTS_PER_REPORT = 100;
/** A browser says how long ago something happened (no clock skew); older reports are refused. */
export const MAX_RECEIPT_AGE_MS = 10 * 60_000;
export const DEFAULT_RECEIPT_RETENTION_DAYS = 14;

export const RECEIPT_CHANNEL_LABELS: Record<ReceiptChannel, string> = {
  delivered: 'delivered',
  shown: 'shown',
  in_page: 'in the page',
  notification: 'desktop notification',
  sound: 'sound',
  push_sent: 'push sent',
  push_shown: 'push shown',
  push_clicked: 'push clicked',
};
