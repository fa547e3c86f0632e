import { PHOTO_TYPES, type RoomMessage, type RoomState } from '@dispatch/domain';
import {
  type FormEvent,
  type KeyboardEvent,
  useCallback,
  useId,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import { useConnection } from '../connection.tsx';
import { clockTime } from '../time-format.ts';
import { draftCheck, markOf, type Outgoing } from './room-state.ts';
import type { Room } from './use-room.ts';

const MARK_TEXT = { sent: '✓ Sent', delivered: '✓✓ Delivered', read: '✓✓ Read' } as const;

/**
 * The room on screen: the messages (own on the right, the other side's on the left, each with
 * its time and, for one's own, ✓ sent / ✓✓ delivered / read), what is still on its way, and the
 * composer (Enter sends, Shift+Enter is a new line; photos by button). New messages from the
 * other side are read out politely; a finished session keeps its history, read-only.
 */
export function RoomChat({ room, heading }: { room: Room; heading?: string }) {
  const id = useId();
  const { view } = room;
  const state = view.state;
  const list = useRef<HTMLOListElement>(null);
  const stick = useRef(true);
  const count = view.messages.length + view.outbox.length;
  // Anything that changes the list's height at its end: a message, an outgoing one's status.
  const tail = `${count}:${view.outbox.map((o) => o.status).join(',')}`;
  const other = state ? (state.side === 'mechanic' ? state.customerName : state.mechanicName) : null;

  // Follow the conversation while the reader is at the bottom; leave them where they are otherwise.
  const follow = useCallback(() => {
    const element = list.current;
    if (element && stick.current) element.scrollTop = element.scrollHeight;
  }, []);
  useLayoutEffect(() => {
    if (tail) follow();
  }, [tail, follow]);

  if (room.fatal && !state) {
    return (
      <section className="room room--error" aria-labelledby={`${id}-h`}>
        <h2 id={`${id}-h`} className="room__title">
          {heading ?? 'Chat'}
        </h2>
        <p role="alert">{room.fatal}</p>
      </section>
    );
  }
  return (
    <section className="room" aria-labelledby={`${id}-h`} data-room={state?.sessionId}>
      <header className="room__header">
        <h2 id={`${id}-h`} className="room__title">
          {heading ?? (other ? `Chat with ${other}` : 'Chat')}
        </h2>
        <RoomStatus state={state} />
      </header>
      {room.fatal ? <p className="room__notice">{room.fatal}</p> : null}
      {!state ? (
        <p className="room__empty" aria-busy="true">
          Loading the chat…
        </p>
      ) : count === 0 ? (
        <p className="room__empty">
          {state.access === 'write'
            ? `No messages yet. Say hello: ${other ?? 'the other side'} sees it at once.`
            : 'No messages were sent in this session.'}
        </p>
      ) : null}
      <ol
        ref={list}
        className="room__messages"
        aria-label="Messages"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the message list scrolls; keyboard users need to reach it.
        tabIndex={0}
        hidden={count === 0}
        onScroll={(event) => {
          const element = event.currentTarget;
          stick.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
        }}
      >
        {view.messages.map((message) => (
          // A photo gets its height only once it has loaded: follow again then, or the chat opens mid-way.
          <MessageItem key={message.id} message={message} state={state} onPhotoLoad={follow} />
        ))}
        {view.outbox.map((outgoing) => (
          <OutgoingItem
            key={outgoing.clientKey}
            outgoing={outgoing}
            onRetry={() => room.retry(outgoing.clientKey)}
            onDiscard={() => room.discard(outgoing.clientKey)}
          />
        ))}
      </ol>
      <p className="room__sr" aria-live="polite" aria-atomic="true">
        {room.announcement}
      </p>
      {state?.access === 'write' ? (
        <Composer room={room} />
      ) : state ? (
        <p className="room__closed">
          {state.side === null
            ? 'You are reading this chat as support.'
            : 'This session has ended. The chat stays here to read; it can no longer be written to.'}
        </p>
      ) : null}
    </section>
  );
}

function RoomStatus({ state }: { state: RoomState | null }) {
  const { status } = useConnection();
  if (state && state.access === 'read') return <span className="room__pill">Read-only</span>;
  const text = status === 'live' ? null : status === 'offline' ? 'Offline' : 'Reconnecting…';
  return text ? (
    <span className="room__pill room__pill--warn" role="status">
      {text}
    </span>
  ) : null;
}

function MessageItem({
  message,
  state,
  onPhotoLoad,
}: {
  message: RoomMessage;
  state: RoomState | null;
  onPhotoLoad(): void;
}) {
  const mark = message.mine ? markOf(message, state) : null;
  return (
    <li
      className={`room__msg room__msg--${message.mine ? 'mine' : 'theirs'}`}
      data-position={message.position}
      data-mark={mark ?? undefined}
    >
      <div className="room__bubble">
        <p className="room__author">{message.mine ? 'You' : message.authorName}</p>
        {message.photo ? (
          <a href={message.photo.url} target="_blank" rel="noreferrer" className="room__photo">
            <img
              src={message.photo.url}
              alt={`Sent by ${message.mine ? 'you' : message.authorName}`}
              loading="lazy"
              onLoad={onPhotoLoad}
            />
          </a>
        ) : null}
        {message.body ? <p className="room__body">{message.body}</p> : null}
        <p className="room__meta">
          <time dateTime={message.createdAt}>{clockTime(message.createdAt)}</time>
          {mark ? <span className={`room__mark room__mark--${mark}`}>{MARK_TEXT[mark]}</span> : null}
        </p>
      </div>
    </li>
  );
}

function OutgoingItem({
  outgoing,
  onRetry,
  onDiscard,
}: {
  outgoing: Outgoing;
  onRetry(): void;
  onDiscard(): void;
}) {
  return (
    <li className={`room__msg room__msg--mine room__msg--${outgoing.status}`} data-outbox={outgoing.status}>
      <div className="room__bubble">
        <p className="room__author">You</p>
        <p className="room__body">{outgoing.body}</p>
        <p className="room__meta">
          {outgoing.status === 'sending' ? (
            <span>Sending…</span>
          ) : (
            <span className={outgoing.status === 'failed' ? 'room__error' : undefined}>
              {outgoing.status === 'queued' ? 'Waiting to send: ' : 'Not sent: '}
              {outgoing.error}
            </span>
          )}
        </p>
        {outgoing.status === 'sending' ? null : (
          <div className="room__actions">
            <button type="button" className="room__link" onClick={onRetry}>
              {outgoing.status === 'queued' ? 'Send now' : 'Try again'}
            </button>
            {outgoing.status === 'failed' ? (
              <button type="button" className="room__link" onClick={onDiscard}>
                Discard
              </button>
            ) : null}
          </div>
        )}
      </div>
    </li>
  );
}

function Composer({ room }: { room: Room }) {
  const id = useId();
  const [draft, setDraft] = useState('');
  const file = useRef<HTMLInputElement>(null);
  const { left, canSend, tooLong } = draftCheck(draft);
  // Each photo trouble is announced anew, even when it is the same sentence as the last one.
  const [photoTries, setPhotoTries] = useState(0);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    // Too long: Send is disabled and the reason is on screen; Enter does nothing either.
    if (!canSend) return;
    room.send(draft.trim());
    room.clearPhotoError();
    setDraft('');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };
  return (
    <form className="room__composer" onSubmit={submit}>
      <label htmlFor={`${id}-text`} className="room__sr">
        Message
      </label>
      <textarea
        id={`${id}-text`}
        className="room__input"
        rows={2}
        value={draft}
        placeholder="Write a message"
        aria-describedby={`${id}-hint${tooLong ? ` ${id}-problem` : ''}`}
        aria-invalid={tooLong ? true : undefined}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="room__tools">
        <input
          ref={file}
          id={`${id}-photo`}
          type="file"
          accept={PHOTO_TYPES.join(',')}
          className="room__sr"
          aria-label="Photo to send"
          tabIndex={-1}
          onChange={(event) => {
            const chosen = event.target.files?.[0];
            event.target.value = '';
            if (!chosen) return;
            setPhotoTries((n) => n + 1);
            void room.sendPhoto(chosen);
          }}
        />
        <button
          type="button"
          className="room__button room__button--quiet"
          disabled={room.photo.busy}
          onClick={() => file.current?.click()}
        >
          {room.photo.busy ? 'Sending photo…' : 'Add photo'}
        </button>
        <span className={`room__count${left < 0 ? ' room__error' : ''}`} aria-hidden={left > 200}>
          {left < 0 ? `${-left} over` : left <= 200 ? `${left} left` : ''}
        </span>
        <button
          type="submit"
          className="room__button"
          disabled={!canSend}
          aria-describedby={tooLong ? `${id}-problem` : undefined}
        >
          Send
        </button>
      </div>
      <p id={`${id}-hint`} className="room__hint">
        Enter sends, Shift+Enter starts a new line. Photos: JPEG, PNG or WebP up to 5 MB.
      </p>
      {tooLong ? (
        <p id={`${id}-problem`} className="room__error" data-problem="too-long">
          {tooLong}
        </p>
      ) : null}
      {room.photo.error ? (
        <p key={photoTries} className="room__error" role="alert" data-problem="photo">
          {room.photo.error}{' '}
          {room.photo.retry ? (
            <button type="button" className="room__link" onClick={room.photo.retry}>
              Try again
            </button>
          ) : null}
        </p>
      ) : null}
    </form>
  );
}
