import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import type { CallPhase, MediaProblem } from './call-engine.ts';
import { useVideoCall } from './use-video-call.ts';

/** What a person can do about each camera/microphone problem, in plain steps. */
const MEDIA_HELP: Record<MediaProblem, { title: string; steps: string }> = {
  denied: {
    title: 'Your camera and microphone are blocked',
    steps:
      'Your browser is not letting this page use them. Click the camera or lock icon at the left of the address bar, set Camera and Microphone to Allow, then press Try again. On a phone, allow them for your browser in the phone’s Settings too.',
  },
  no_device: {
    title: 'No camera or microphone found',
    steps:
      'We could not find a camera or a microphone on this device. Plug one in (or switch it on), check that your system settings allow the browser to use it, then press Try again.',
  },
  in_use: {
    title: 'Your camera or microphone is busy',
    steps:
      'Another app or browser tab is using it (another video call, maybe). Close that app or tab, then press Try again.',
  },
  insecure: {
    title: 'Video needs a secure connection',
    steps:
      'Browsers only allow the camera on secure (https) pages. Open this page through its https address.',
  },
  other: {
    title: 'We could not start your camera or microphone',
    steps: 'Check that they are connected and not used by another app, then press Try again.',
  },
};

function statusText(phase: CallPhase, peer: string): string {
  switch (phase.kind) {
    case 'idle':
      return `Talk face to face with ${peer}. Your camera and microphone turn on only when you join.`;
    case 'starting':
      return 'Starting your camera and microphone… If your browser asks, choose Allow.';
    case 'media_error':
      return MEDIA_HELP[phase.problem].title;
    case 'waiting':
      return `Waiting for ${peer} to join the call…`;
    case 'connecting':
      return `Connecting to ${peer}…`;
    case 'connected':
      return `Connected with ${peer}.`;
    case 'peer_dropped':
      return `${peer}’s connection dropped. The call picks up again as soon as they are back: keep waiting, or rejoin.`;
    case 'peer_left':
      return `${peer} left the call. Stay to wait for them to rejoin, or leave.`;
    case 'ice_failed':
      return `We could not connect you to ${peer}.`;
    case 'ended':
      return 'The call has ended: this session is finished.';
    case 'left':
      return 'You left the call.';
    case 'error':
      return `The call stopped: ${phase.message}`;
  }
}

/** The few words laid over the other side's picture while it is not live. */
function overlayText(phase: CallPhase, peer: string): string {
  switch (phase.kind) {
    case 'waiting':
      return `Waiting for ${peer}…`;
    case 'connecting':
      return 'Connecting…';
    case 'peer_dropped':
      return 'Connection dropped';
    case 'peer_left':
      return `${peer} left`;
    case 'ice_failed':
      return 'Could not connect';
    default:
      return '';
  }
}

/** A <video> bound to a stream; says when the browser would not start it (autoplay rules). */
function StreamVideo({
  stream,
  muted,
  label,
  className,
  which,
}: {
  stream: MediaStream | null;
  muted: boolean;
  label: string;
  className: string;
  which: 'local' | 'remote';
}) {
  const ref = useRef<HTMLVideoElement>(null);
  const [blocked, setBlocked] = useState(false);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    video.srcObject = stream;
    if (!stream) return;
    video.play().then(
      () => setBlocked(false),
      (error: unknown) => {
        if (error instanceof DOMException && error.name === 'NotAllowedError') setBlocked(true);
      },
    );
  }, [stream]);
  return (
    <>
      <video
        ref={ref}
        className={className}
        data-call-video={which}
        autoPlay
        playsInline
        muted={muted}
        aria-label={label}
      />
      {blocked ? (
        <button
          type="button"
          className="button button--primary call__play"
          onClick={() => {
            void ref.current?.play().then(() => setBlocked(false));
          }}
        >
          Play video and sound
        </button>
      ) : null}
    </>
  );
}

/**
 * The video call of an accepted video session, for either side: join and leave, a local preview
 * and the other side's video, microphone and camera switches, and a plain sentence for every
 * state (waiting, connecting, connected, dropped, left, ended, blocked camera, failed network).
 */
export function VideoCallPanel({
  sessionId,
  side,
  peerName,
  heading,
}: {
  sessionId: string;
  side: 'customer' | 'mechanic';
  /** Who is on the other side, as this side knows them ("Sam", "your mechanic"). */
  peerName: string;
  heading?: ReactNode;
}) {
  const id = useId();
  const call = useVideoCall(sessionId, side === 'customer');
  const { phase, local, remote, micOn, cameraOn, hasAudio, hasVideo } = call.state;
  const inCall = local !== null;
  const text = statusText(phase, peerName);
  const canJoin = phase.kind === 'idle' || phase.kind === 'left';
  const retry =
    phase.kind === 'media_error' || phase.kind === 'ice_failed' || phase.kind === 'error'
      ? 'Try again'
      : phase.kind === 'peer_dropped'
        ? 'Rejoin'
        : null;
  return (
    <section className="call" aria-labelledby={`${id}-title`} data-call-phase={phase.kind}>
      <div className="call__head">
        <h2 id={`${id}-title`} className="call__title">
          {heading ?? `Video call with ${peerName}`}
        </h2>
        <p className={`call__state call__state--${phase.kind}`} role="status" aria-live="polite">
          {text}
        </p>
      </div>

      {phase.kind === 'media_error' ? (
        <div className="call__help" role="alert">
          <p>{MEDIA_HELP[phase.problem].steps}</p>
        </div>
      ) : null}
      {phase.kind === 'ice_failed' ? (
        <div className="call__help" role="alert">
          <p>
            A strict network (an office, a hotel, some mobile networks) can block a direct call. Press Try
            again. If it keeps failing, try another network (mobile data instead of Wi-Fi, say); the service
            may also need a relay (TURN) server set up.
          </p>
        </div>
      ) : null}

      {inCall ? (
        <div className="call__stage">
          <div className="call__remote">
            <StreamVideo
              stream={remote}
              muted={false}
              label={`${peerName}’s video`}
              className="call__video call__video--remote"
              which="remote"
            />
            {phase.kind !== 'connected' ? (
              <p className="call__overlay" aria-hidden="true">
                {overlayText(phase, peerName)}
              </p>
            ) : null}
          </div>
          <div className="call__self">
            <StreamVideo
              stream={local}
              muted
              label="Your camera"
              className="call__video call__video--self"
              which="local"
            />
            {!hasVideo ? <p className="call__overlay call__overlay--small">No camera: sound only</p> : null}
            {hasVideo && !cameraOn ? <p className="call__overlay call__overlay--small">Camera off</p> : null}
          </div>
        </div>
      ) : null}

      <div className="call__controls">
        {canJoin ? (
          <button type="button" className="button button--primary call__join" onClick={call.join}>
            {phase.kind === 'left' ? 'Rejoin call' : 'Join call'}
          </button>
        ) : null}
        {retry ? (
          <button
            type="button"
            className={`button ${phase.kind === 'peer_dropped' ? 'call__secondary' : 'button--primary'}`}
            onClick={call.join}
          >
            {retry}
          </button>
        ) : null}
        {inCall ? (
          <>
            <button
              type="button"
              className="button call__toggle"
              data-off={!micOn || undefined}
              disabled={!hasAudio}
              onClick={() => call.setMic(!micOn)}
            >
              {micOn ? 'Mute microphone' : 'Unmute microphone'}
            </button>
            <button
              type="button"
              className="button call__toggle"
              data-off={!cameraOn || undefined}
              disabled={!hasVideo}
              onClick={() => call.setCamera(!cameraOn)}
            >
              {cameraOn ? 'Turn camera off' : 'Turn camera on'}
            </button>
            <button type="button" className="button call__hangup" onClick={call.leave}>
              Leave call
            </button>
          </>
        ) : null}
      </div>
    </section>
  );
}
