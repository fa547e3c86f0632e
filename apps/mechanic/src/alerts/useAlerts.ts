import { useCallback, useEffect, useRef, useState } from 'react';
import type { AssignmentCard } from '../api-types.ts';
import { useNotice, useWithdrawNotice } from '../notices/notices.tsx';
import { noteReceipt } from '../receipts/outbox.ts';
import { headline } from './describe.ts';
import { setFaviconBadge } from './favicon.ts';
import { Beeper, soundPreference } from './sound.ts';

const BASE_TITLE = 'Mechanic dashboard';
/** While something new is unacknowledged and sound is on, beep this often (the first is immediate). */
const RING_EVERY_MS = 4_000;

type NotificationPermissionState = NotificationPermission | 'unsupported';

export interface Alerts {
  /** Requests that arrived while this mechanic could take them and that they have not seen yet. */
  unseen: ReadonlySet<string>;
  unread: number;
  /** A card was on screen long enough to count as seen. */
  markSeen(assignmentId: string): void;
  permission: NotificationPermissionState;
  requestPermission(): void;
  /** The mechanic's choice, kept across reloads. */
  soundOn: boolean;
  /** Sound is chosen but the browser keeps it muted until a click (after a reload). */
  soundBlocked: boolean;
  toggleSound(): void;
  /** One click to re-enable sound the browser blocked. */
  resumeSound(): void;
}

/** The toast announcing a request, keyed so it goes when the request leaves the queue. */
function newRequestNoticeKey(assignmentId: string): string {
  return `new:${assignmentId}`;
}

function permissionNow(): NotificationPermissionState {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/**
 * Alerts for requests that newly enter the queue while `enabled` (the mechanic is Available and
 * connected): a desktop notification, a beep (once the mechanic switched sound on), a "New" mark
 * on the card until it was seen, the unseen count in the tab title and favicon, and a toast.
 * Away and offline mean no alert of any kind: nothing new is announced and what was pending is
 * dropped. A request that leaves the queue (taken, by this mechanic or another, or cancelled)
 * closes its notification, its toast and its mark at once.
 * The first snapshot after loading is not "new": only what arrives while the dashboard is open is.
 */
export function useAlerts(queue: readonly AssignmentCard[], ready: boolean, enabled: boolean): Alerts {
  const notice = useNotice();
  const withdrawNotice = useWithdrawNotice();
  const [unseen, setUnseen] = useState<ReadonlySet<string>>(new Set());
  /** Arrivals not yet acknowledged by a click, key or focus: these ring and keep notifications. */
  const [ringing, setRinging] = useState<ReadonlySet<string>>(new Set());
  const [permission, setPermission] = useState<NotificationPermissionState>(permissionNow);
  const [soundOn, setSoundOn] = useState(soundPreference.get);
  const [soundBlocked, setSoundBlocked] = useState(false);
  const known = useRef<Set<string> | null>(null);
  const notifications = useRef(new Map<string, Notification>());
  const beeper = useRef(new Beeper());

  const closeNotifications = useCallback((ids?: Iterable<string>) => {
    const open = notifications.current;
    for (const id of ids ?? [...open.keys()]) {
      open.get(id)?.close();
      open.delete(id);
    }
  }, []);

  useEffect(() => {
    if (!ready) return;
    const ids = new Set(queue.map((card) => card.assignmentId));
    const previous = known.current;
    known.current = ids;
    if (!previous) return;
    const arrived = enabled ? queue.filter((card) => !previous.has(card.assignmentId)) : [];
    const left = [...previous].filter((id) => !ids.has(id));
    closeNotifications(left);
    withdrawNotice(left.map(newRequestNoticeKey));
    for (const card of arrived) {
      notice(`New request — ${headline(card)}`, 'new', newRequestNoticeKey(card.assignmentId));
      noteReceipt(card, 'in_page');
      if (permissionNow() === 'granted') {
        noteReceipt(card, 'notification');
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
    if (arrived.length > 0 && beeper.current.beep()) for (const card of arrived) noteReceipt(card, 'sound');
    if (arrived.length > 0 || left.length > 0) {
      const keep = (current: ReadonlySet<string>) => {
        const next = new Set([...current].filter((id) => ids.has(id)));
        for (const card of arrived) next.add(card.assignmentId);
        return next;
      };
      setUnseen(keep);
      setRinging(keep);
    }
  }, [queue, ready, enabled, notice, withdrawNotice, closeNotifications]);

  // Away or offline: no alert of any kind, including what was still pending.
  useEffect(() => {
    if (enabled) return;
    setUnseen((current) => (current.size === 0 ? current : new Set()));
    setRinging((current) => (current.size === 0 ? current : new Set()));
    closeNotifications();
    withdrawNotice([...(known.current ?? [])].map(newRequestNoticeKey));
  }, [enabled, closeNotifications, withdrawNotice]);

  // The tab title and the favicon carry the unseen count, so a background tab shows work waiting.
  useEffect(() => {
    document.title = unseen.size > 0 ? `(${unseen.size}) ${BASE_TITLE}` : BASE_TITLE;
    setFaviconBadge(unseen.size);
  }, [unseen]);

  // Ring until the mechanic acknowledges or the request goes.
  useEffect(() => {
    if (!soundOn || ringing.size === 0) return;
    const timer = setInterval(() => beeper.current.beep(), RING_EVERY_MS);
    return () => clearInterval(timer);
  }, [soundOn, ringing]);

  // A sound choice that was on before the reload comes back on; if the browser keeps audio muted
  // until a click, say so (see the banner) and resume on the first click or key anywhere.
  useEffect(() => {
    if (!soundPreference.get()) return;
    let cancelled = false;
    void beeper.current.restore().then((playing) => {
      if (!cancelled) setSoundBlocked(!playing);
    });
    return () => {
      cancelled = true;
    };
  }, []);

  // Looking at the dashboard acknowledges: focus, the tab becoming visible, a click or a key stop
  // the ringing and close notifications; the "New" marks stay until each card was on screen.
  useEffect(() => {
    const acknowledge = (event: Event) => {
      if (document.visibilityState !== 'visible') return;
      setRinging((current) => (current.size === 0 ? current : new Set()));
      closeNotifications();
      if ((event.type === 'pointerdown' || event.type === 'keydown') && soundPreference.get()) {
        const sound = beeper.current;
        if (sound.enabled && !sound.playing)
          void sound.restore().then((playing) => setSoundBlocked(!playing));
      }
    };
    window.addEventListener('focus', acknowledge);
    document.addEventListener('visibilitychange', acknowledge);
    window.addEventListener('pointerdown', acknowledge);
    window.addEventListener('keydown', acknowledge);
    return () => {
      window.removeEventListener('focus', acknowledge);
      document.removeEventListener('visibilitychange', acknowledge);
      window.removeEventListener('pointerdown', acknowledge);
      window.removeEventListener('keydown', acknowledge);
    };
  }, [closeNotifications]);

  useEffect(() => {
    const sound = beeper.current;
    return () => {
      closeNotifications();
      sound.disable();
      document.title = BASE_TITLE;
      setFaviconBadge(0);
    };
  }, [closeNotifications]);

  const markSeen = useCallback((assignmentId: string) => {
    setUnseen((current) => {
      if (!current.has(assignmentId)) return current;
      const next = new Set(current);
      next.delete(assignmentId);
      return next;
    });
  }, []);

  const requestPermission = useCallback(() => {
    if (typeof Notification === 'undefined') return;
    void Notification.requestPermission().then(setPermission);
  }, []);

  const resumeSound = useCallback(() => {
    void beeper.current.enable().then(
      () => {
        setSoundBlocked(false);
        setSoundOn(true);
      },
      () => setSoundBlocked(true),
    );
  }, []);

  const toggleSound = useCallback(() => {
    if (soundPreference.get()) {
      beeper.current.disable();
      soundPreference.set(false);
      setSoundOn(false);
      setSoundBlocked(false);
    } else {
      soundPreference.set(true);
      setSoundOn(true);
      void beeper.current.enable().then(
        () => setSoundBlocked(false),
        () => setSoundBlocked(true),
      );
    }
  }, []);

  return {
    unseen,
    unread: unseen.size,
    markSeen,
    permission,
    requestPermission,
    soundOn,
    soundBlocked,
    toggleSound,
    resumeSound,
  };
}
