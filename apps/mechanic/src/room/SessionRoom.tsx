import '@dispatch/web/room.css';
import { RoomChat, useRoom, useUnreadTitle } from '@dispatch/web';
import { useId, useState } from 'react';

/** `?room=<session id>` (a chat push's link) opens that room. */
const linked = () => new URLSearchParams(window.location.search).get('room');

/**
 * A session's chat on its card in "My sessions": open by itself while the session is in progress,
 * one click away afterwards (its history, read-only). Closed, it still counts what is unread.
 */
export function SessionRoom({ sessionId, active }: { sessionId: string; active: boolean }) {
  const [open, setOpen] = useState(() => active || linked() === sessionId);
  return active || open ? (
    <LiveRoom sessionId={sessionId} open={open} onToggle={() => setOpen((value) => !value)} />
  ) : (
    <Toggle open={false} unread={0} onToggle={() => setOpen(true)} controls={null} />
  );
}

function LiveRoom({ sessionId, open, onToggle }: { sessionId: string; open: boolean; onToggle(): void }) {
  const id = useId();
  const room = useRoom(sessionId, open);
  useUnreadTitle(room.unread);
  return (
    <div className="room-toggle">
      <Toggle open={open} unread={room.unread} onToggle={onToggle} controls={open ? `${id}-room` : null} />
      {/* Mounted when shown, so it opens at the newest message; the hook keeps the room meanwhile. */}
      {open ? (
        <div id={`${id}-room`}>
          <RoomChat room={room} />
        </div>
      ) : null}
    </div>
  );
}

function Toggle({
  open,
  unread,
  onToggle,
  controls,
}: {
  open: boolean;
  unread: number;
  onToggle(): void;
  controls: string | null;
}) {
  return (
    <button
      type="button"
      className="room-toggle__button"
      aria-expanded={open}
      aria-controls={controls ?? undefined}
      onClick={onToggle}
    >
      {open ? 'Hide chat' : 'Open chat'}
      {unread > 0 ? (
        <span className="room-badge" role="status">
          {unread} new
        </span>
      ) : null}
    </button>
  );
}
