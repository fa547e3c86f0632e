import '@dispatch/web/room.css';
import { RoomChat, useRoom, useUnreadTitle } from '@dispatch/web';

/**
 * The chat with the mechanic, on the request's status page once it is accepted (and afterwards,
 * read-only). The page is the room, so it is in view whenever the tab is.
 */
export function SessionRoom({ sessionId, mechanicName }: { sessionId: string; mechanicName: string | null }) {
  const room = useRoom(sessionId, true);
  useUnreadTitle(room.unread);
  return (
    <RoomChat room={room} heading={mechanicName ? `Chat with ${mechanicName}` : 'Chat with your mechanic'} />
  );
}
