import { VideoCallPanel } from '@dispatch/web';
import '@dispatch/web/call.css';
import './call.css';

/** The video call with the mechanic who accepted this video session. */
export function VideoCall({ sessionId, mechanicName }: { sessionId: string; mechanicName: string | null }) {
  return <VideoCallPanel sessionId={sessionId} side="customer" peerName={mechanicName ?? 'your mechanic'} />;
}
