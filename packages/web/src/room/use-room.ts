import { PHOTO_MAX_BYTES, PHOTO_TYPES, type RoomMessage } from '@dispatch/domain';
import { useCallback, useEffect, useRef, useState } from 'react';
import { usePollingFallback } from '../connection.tsx';
import { errorCode, errorMessage, isTransient, retryDelayMs } from '../errors.ts';
import { useTRPCClient } from '../trpc.ts';
import {
  applyRoomEvent,
  EMPTY_ROOM,
  type Outgoing,
  outboxStorageKey,
  type RoomView,
  unreadIn,
  updateOutgoing,
  withMessages,
} from './room-state.ts';

function loadOutbox(sessionId: string): Outgoing[] {
  try {
    const saved = JSON.parse(localStorage.getItem(outboxStorageKey(sessionId)) ?? '[]') as Outgoing[];
    return Array.isArray(saved)
      ? saved.map((o) => ({ ...o, status: o.status === 'failed' ? 'failed' : 'queued', retryAt: Date.now() }))
      : [];
  } catch {
    return [];
  }
}

function saveOutbox(sessionId: string, outbox: readonly Outgoing[]): void {
  try {
    if (outbox.length === 0) localStorage.removeItem(outboxStorageKey(sessionId));
    else localStorage.setItem(outboxStorageKey(sessionId), JSON.stringify(outbox));
  } catch {
    // Private mode or a full quota: the outbox still lives as long as the page.
  }
}

/** The server's own sentence for a refused message (it is written for people), else the shared mapping. */
function sendError(error: unknown): string {
  if (errorCode(error) === 'BAD_REQUEST' && error instanceof Error) return error.message;
  return errorMessage(error);
}

const isVisible = () => document.visibilityState === 'visible';

export interface Room {
  view: RoomView;
  unread: number;
  /** The room could not be opened (NOT_FOUND, signed out): a sentence to show. */
  fatal: string | null;
  /** Text for a polite live region: the newest message from the other side. */
  announcement: string;
  send(body: string): void;
  retry(clientKey: string): void;
  discard(clientKey: string): void;
  sendPhoto(file: File): Promise<void>;
  /** The last photo's trouble (one at a time: a new one replaces it), with a retry when it may help. */
  photo: { busy: boolean; error: string | null; retry: (() => void) | null };
  /** Clears the photo's trouble once something else went through. */
  clearPhotoError(): void;
}

/**
 * One session room, live: `room.onMessage` from the first message (the socket resumes from its
 * last event id by itself after a drop), polling `room.history` while the socket is down, marks
 * sent as messages arrive (delivered) and while the room is in view (read), and an outbox that
 * keeps every typed message, with its key, until the server confirms it: queued while offline
 * or refused for load, retried by itself, kept across reloads.
 */
export function useRoom(sessionId: string, inView: boolean): Room {
  const client = useTRPCClient();
  const [view, setView] = useState<RoomView>(() => ({ ...EMPTY_ROOM, outbox: loadOutbox(sessionId) }));
  const [fatal, setFatal] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [photo, setPhoto] = useState<Room['photo']>({ busy: false, error: null, retry: null });
  const mountedAt = useRef(Date.now());
  const alive = useRef(true);
  const attempts = useRef(new Map<string, number>());
  const acked = useRef({ delivered: 0n, read: 0n });
  const poll = usePollingFallback(4_000);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  useEffect(() => {
    const subscription = client.room.onMessage.subscribe(
      { sessionId },
      {
        onData: ({ data }) => {
          setFatal(null);
          setView((current) => applyRoomEvent(current, data));
          if (
            data.kind === 'message' &&
            !data.message.mine &&
            Date.parse(data.message.createdAt) > mountedAt.current
          ) {
            const { authorName, body, photo: attached } = data.message;
            setAnnouncement(`${authorName}: ${attached ? 'sent a photo' : body}`);
          }
        },
        onError: (error) => setFatal(errorMessage(error)),
      },
    );
    return () => subscription.unsubscribe();
  }, [client, sessionId]);

  // While the socket is down the page still shows what arrives (and the marks), every few seconds.
  const newest = view.messages.at(-1)?.position;
  useEffect(() => {
    if (poll === false) return;
    const timer = setInterval(() => {
      client.room.history
        .query({ sessionId, ...(newest ? { after: newest } : {}) })
        .then((page) => setView((current) => withMessages({ ...current, state: page.state }, page.messages)))
        .catch(() => {});
    }, poll);
    return () => clearInterval(timer);
  }, [client, sessionId, poll, newest]);

  useEffect(() => saveOutbox(sessionId, view.outbox), [sessionId, view.outbox]);

  // Marks: delivered as soon as the other side's messages are here, read while the room is in view.
  const side = view.state?.side ?? null;
  const [visible, setVisible] = useState(isVisible);
  useEffect(() => {
    const update = () => setVisible(isVisible());
    document.addEventListener('visibilitychange', update);
    window.addEventListener('focus', update);
    window.addEventListener('blur', update);
    return () => {
      document.removeEventListener('visibilitychange', update);
      window.removeEventListener('focus', update);
      window.removeEventListener('blur', update);
    };
  }, []);
  const myRead = view.state?.marks.myRead;
  useEffect(() => {
    if (!side || !newest) return;
    const position = BigInt(newest);
    const read = inView && visible && position > BigInt(myRead ?? '0') && position > acked.current.read;
    const delivered = position > acked.current.delivered;
    if (!read && !delivered) return;
    if (delivered) acked.current.delivered = position;
    if (read) acked.current.read = position;
    client.room.mark.mutate({ sessionId, delivered: newest, ...(read ? { read: newest } : {}) }).catch(() => {
      // A mark that did not go is sent again with the next message or view.
      if (read) acked.current.read = 0n;
      acked.current.delivered = 0n;
    });
  }, [client, sessionId, side, newest, inView, visible, myRead]);

  const attempt = useCallback(
    (outgoing: Pick<Outgoing, 'clientKey' | 'body'>) => {
      setView((current) =>
        updateOutgoing(current, outgoing.clientKey, { status: 'sending', error: null, retryAt: null }),
      );
      client.room.send
        .mutate({ sessionId, clientKey: outgoing.clientKey, body: outgoing.body })
        .then((message: RoomMessage) => {
          attempts.current.delete(outgoing.clientKey);
          setView((current) => withMessages(current, [message]));
        })
        .catch((error: unknown) => {
          if (!alive.current) return;
          if (isTransient(error)) {
            const n = attempts.current.get(outgoing.clientKey) ?? 0;
            attempts.current.set(outgoing.clientKey, n + 1);
            const wait = retryDelayMs(n, error, 10_000);
            const why =
              errorCode(error) === 'TOO_MANY_REQUESTS'
                ? sendError(error)
                : navigator.onLine
                  ? 'Not sent yet: we cannot reach the server. Retrying by itself.'
                  : 'You are offline. It will be sent when you are back.';
            setView((current) =>
              updateOutgoing(current, outgoing.clientKey, {
                status: 'queued',
                error: why,
                retryAt: Date.now() + wait,
              }),
            );
            setTimeout(() => alive.current && attempt(outgoing), wait);
          } else {
            setView((current) =>
              updateOutgoing(current, outgoing.clientKey, {
                status: 'failed',
                error: sendError(error),
                retryAt: null,
              }),
            );
          }
        });
    },
    [client, sessionId],
  );

  // Messages queued before a reload go out again; coming back online retries at once.
  const outboxRef = useRef(view.outbox);
  outboxRef.current = view.outbox;
  useEffect(() => {
    for (const o of outboxRef.current) if (o.status === 'queued') attempt(o);
    const online = () => {
      for (const o of outboxRef.current) if (o.status === 'queued') attempt(o);
    };
    window.addEventListener('online', online);
    return () => window.removeEventListener('online', online);
  }, [attempt]);

  const send = useCallback(
    (body: string) => {
      const outgoing: Outgoing = {
        clientKey: crypto.randomUUID(),
        body,
        status: 'sending',
        error: null,
        retryAt: null,
        createdAt: new Date().toISOString(),
      };
      setView((current) => ({ ...current, outbox: [...current.outbox, outgoing] }));
      attempt(outgoing);
    },
    [attempt],
  );

  const sendPhoto = useCallback(
    async (file: File) => {
      if (!(PHOTO_TYPES as readonly string[]).includes(file.type)) {
        setPhoto({ busy: false, error: 'Only JPEG, PNG or WebP photos can be sent.', retry: null });
        return;
      }
      if (file.size > PHOTO_MAX_BYTES) {
        setPhoto({
          busy: false,
          error: `The photo is too large: at most ${PHOTO_MAX_BYTES / 1024 / 1024} MB.`,
          retry: null,
        });
        return;
      }
      const clientKey = crypto.randomUUID();
      const upload = async (): Promise<void> => {
        setPhoto({ busy: true, error: null, retry: null });
        try {
          const response = await fetch(`/room-photos?sessionId=${sessionId}&clientKey=${clientKey}`, {
            method: 'POST',
            headers: { 'content-type': file.type },
            body: file,
            credentials: 'same-origin',
          });
          const body = (await response.json().catch(() => null)) as {
            message?: RoomMessage;
            error?: { message?: string };
          } | null;
          if (response.ok && body?.message) {
            const message = body.message;
            setView((current) => withMessages(current, [message]));
            setPhoto({ busy: false, error: null, retry: null });
            return;
          }
          const again = response.status === 429 || response.status >= 500;
          setPhoto({
            busy: false,
            error: body?.error?.message ?? 'The photo could not be sent.',
            retry: again ? () => void upload() : null,
          });
        } catch {
          // The same key: a photo that did arrive is not stored twice.
          setPhoto({
            busy: false,
            error: 'The photo was not sent: we cannot reach the server.',
            retry: () => void upload(),
          });
        }
      };
      await upload();
    },
    [sessionId],
  );

  return {
    view,
    unread: inView && visible ? 0 : unreadIn(view),
    fatal,
    announcement,
    send,
    retry: (clientKey) => {
      const outgoing = view.outbox.find((o) => o.clientKey === clientKey);
      if (outgoing) attempt(outgoing);
    },
    discard: (clientKey) => setView((current) => updateOutgoing(current, clientKey, null)),
    sendPhoto,
    photo,
    clearPhotoError: () =>
      setPhoto((current) =>
        current.error && !current.busy ? { ...current, error: null, retry: null } : current,
      ),
  };
}
