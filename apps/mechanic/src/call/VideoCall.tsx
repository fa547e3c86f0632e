import { VideoCallPanel } from '@dispatch/web';
import '@dispatch/web/call.css';
import './call.css';

/** The video call with the customer of an accepted video session. */
export function VideoCall({ sessionId, customerName }: { sessionId: string; customerName: string }) {
  return <VideoCallPanel sessionId={sessionId} side="mechanic" peerName={customerName} />;
}
