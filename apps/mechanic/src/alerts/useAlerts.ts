import { useCallback, useEffect, useRef, useState } from 'react';
import type { AssignmentCard } from '../api-types.ts';
import { useNotice } from '../notices/notices.tsx';
import { headline } from './describe.ts';
import { Beeper } from './sound.ts';

const BASE_TITLE = 'Mechanic dashboard';
/** While something is unread and sound is on, beep this often (the first beep is immediate). */
const RING_EVERY_MS = 4_000;

type NotificationPermissionState = NotificationPermission | 'unsupported';

export interface Alerts {
  unread: number;
  permission: NotificationPermissionState;
  requestPermission(): void;
  soundOn: boolean;
  toggleSound(): void;
}

function permissionNow(): NotificationPermissionState {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/**
 * Alerts for requests that newly enter the queue: a desktop notification, a beep (once the mechanic
 * switched sound on), an unread count in the tab title and an announcement. A request that leaves
 * the queue (taken, cancelled, offered elsewhere) closes its notification, stops its ringing and
 * lowers the count at once. Looking at the dashboard (focus, visible again, a click or key) clears it.
 * The first snapshot after loading is not "new": only what arrives while the dashboard is open is.
 */
export function useAlerts(queue: readonly AssignmentCard[], ready: boolean): Alerts {
  const notice = useNotice();
  const [unread, setUnread] = useState<ReadonlySet<string>>(new Set());
  const [permission, setPermission] = useState<NotificationPermissionState>(permissionNow);
  const [soundOn, setSoundOn] = useState(false);
  const known = useRef<Set<string> | null>(null);
  const notifications = useRef(new Map<string, Notification>());
  const beeper = useRef(new Beeper());

  useEffect(() => {
    if (!ready) return;
    const ids = new Set(queue.map((card) => card.assignmentId));
    const previous = known.current;
    known.current = ids;
    if (!previous) return;
    const arrived = queue.filter((card) => !previous.has(card.assignmentId));
    const left = [...previous].filter((id) => !ids.has(id));
    for (const id of left) {
      notifications.current.get(id)?.close();
      notifications.current.delete(id);
    }
    for (const card of arrived) {
      notice(`New request — ${headline(card)}`, 'new');
      if (permissionNow() === 'granted') {
        const notification = new Notification(`New request — ${headline(card)}`, {
          body: card.concern.slice(0, 140),
          tag: card.assignmentId,
        });
        notification.onclick = () => {
          window.focus();
          notification.close();
        };
        notifications.current.set(card.assignmentId, notification);
      }
    }
    if (arrived.length > 0) beeper.current.beep();
    if (arrived.length > 0 || left.length > 0) {
      setUnread((current) => {
        const next = new Set([...current].filter((id) => ids.has(id)));
        for (const card of arrived) next.add(card.assignmentId);
        return next;
      });
    }
  }, [queue, ready, notice]);

  // The tab title carries the unread count, so a background tab still shows that work is waiting.
  useEffect(() => {
    document.title = unread.size > 0 ? `(${unread.size}) ${BASE_TITLE}` : BASE_TITLE;
  }, [unread]);

  // Ring until the mechanic looks or the request goes.
  useEffect(() => {
    if (!soundOn || unread.size === 0) return;
    const timer = setInterval(() => beeper.current.beep(), RING_EVERY_MS);
    return () => clearInterval(timer);
  }, [soundOn, unread]);

  // Looking at the dashboard reads everything: focus, the tab becoming visible, a click or a key.
  useEffect(() => {
    const seen = () => {
      if (document.visibilityState !== 'visible') return;
      setUnread((current) => (current.size === 0 ? current : new Set()));
      for (const notification of notifications.current.values()) notification.close();
      notifications.current.clear();
    };
    window.addEventListener('focus', seen);
    document.addEventListener('visibilitychange', seen);
    window.addEventListener('click', seen);
    window.addEventListener('keydown', seen);
    return () => {
      window.removeEventListener('focus', seen);
      document.removeEventListener('visibilitychange', seen);
      window.removeEventListener('click', seen);
      window.removeEventListener('keydown', seen);
    };
  }, []);

  useEffect(() => {
    const open = notifications.current;
    const sound = beeper.current;
    return () => {
      for (const notification of open.values()) notification.close();
      open.clear();
      sound.disable();
      document.title = BASE_TITLE;
    };
  }, []);

  const requestPermission = useCallback(() => {
    if (typeof Notification === 'undefined') return;
    void Notification.requestPermission().then(setPermission);
  }, []);

  const toggleSound = useCallback(() => {
    if (beeper.current.enabled) {
      beeper.current.disable();
      setSoundOn(false);
    } else {
      void beeper.current.enable().then(
        () => setSoundOn(true),
        () => setSoundOn(false),
      );
    }
  }, []);

  return { unread: unread.size, permission, requestPermission, soundOn, toggleSound };
}
