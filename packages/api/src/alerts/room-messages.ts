import type { Db } from '@dispatch/db';
import type { Logger } from 'pino';
import type { RoomFeed, RoomMessageRow } from '../log/room-feed.ts';
import type { PushPayload } from './plan.ts';
import { requestTopic } from './plan.ts';
import type { PushSender } from './sender.ts';

/** How long a message may stay unread before the other side is pushed (an open room reads it sooner). */
export const ROOM_ALERT_DELAY_MS = 5_000;

interface Recipient {
  user_id: string;
  role: 'customer' | 'mechanic';
  read_up_to: string;
  status: string;
}

/**
 * A message the other side has not read within a few seconds (their room is not open and in view,
 * or their page is closed) is pushed to their devices, in the same channel as every other alert:
 * the site's service worker shows `notice` pushes and opens their link. Every process sees every
 * message; the push sender's claim (one per device and message) makes each device get it once.
 */
export function startRoomAlerts(options: {
  db: Db;
  log: Logger;
  feed: RoomFeed;
  sender: PushSender;
  delayMs?: number;
}): { stop(): void } {
  const delay = options.delayMs ?? ROOM_ALERT_DELAY_MS;
  const timers = new Set<NodeJS.Timeout>();
  const check = async (message: RoomMessageRow) => {
    const rows = await options.db.$queryRaw<Recipient[]>`
      SELECT u.user_id, u.role, coalesce(r.read_up_to, 0)::text AS read_up_to, a.status::text AS status
        FROM session_assignments a
        JOIN sessions s ON s.id = a.session_id
        CROSS JOIN LATERAL (VALUES (s.customer_id, 'customer'), (a.mechanic_id, 'mechanic')) AS u(user_id, role)
        LEFT JOIN room_reads r ON r.session_id = a.session_id AND r.user_id = u.user_id
       WHERE a.session_id = ${message.sessionId}::uuid AND u.user_id IS NOT NULL
         AND u.user_id <> ${message.authorId}::uuid`;
    const recipient = rows[0];
    if (recipient?.status !== 'accepted' || BigInt(recipient.read_up_to) >= message.position) return;
    const url =
      recipient.role === 'customer'
        ? `/#/session/${message.sessionId}`
        : `/mechanic/?room=${message.sessionId}`;
    const payload: PushPayload = {
      kind: 'notice',
      tag: `room-${message.sessionId}`,
      title: `Message from ${message.authorName}`,
      body: message.photoId ? 'Sent a photo' : message.body.slice(0, 140),
      url,
    };
    await options.sender.notifyUser(recipient.user_id, payload, `room:${message.id}`, 3600, {
      kind: 'message',
      topic: requestTopic(message.sessionId),
    });
  };
  const unsubscribe = options.feed.onMessages((messages) => {
    for (const message of messages) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        check(message).catch((error: unknown) =>
          options.log.warn({ err: error, messageId: message.id }, 'room message alert failed'),
        );
      }, delay);
      timer.unref();
      timers.add(timer);
    }
  });
  return {
    stop: () => {
      unsubscribe();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
