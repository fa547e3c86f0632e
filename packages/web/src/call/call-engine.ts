import type { CallSignal, CallSignalInput, IceServer } from '@dispatch/domain';

/** Why the camera or microphone could not be used, in the words the view explains. */
export type MediaProblem = 'denied' | 'no_device' | 'in_use' | 'insecure' | 'other';

/**
 * Where this side of the call stands. One union, so no impossible mix can be shown:
 * idle (not joined) → starting (asking for camera and microphone) → waiting (for the other side)
 * → connecting → connected; then peer_dropped (their tab or network went), peer_left (they hung
 * up), ice_failed (no network path), ended (the session is over), left (this side hung up).
 */
export type CallPhase =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'media_error'; problem: MediaProblem }
  | { kind: 'waiting' }
  | { kind: 'connecting' }
  | { kind: 'connected' }
  | { kind: 'peer_dropped' }
  | { kind: 'peer_left' }
  | { kind: 'ice_failed' }
  | { kind: 'ended' }
  | { kind: 'left' }
  | { kind: 'error'; message: string; code: string | null };

export interface CallState {
  phase: CallPhase;
  local: MediaStream | null;
  remote: MediaStream | null;
  micOn: boolean;
  cameraOn: boolean;
  /** Joined with what the device has: a microphone without a camera, say. */
  hasAudio: boolean;
  hasVideo: boolean;
}

/** What the engine needs from the outside world: the API and the browser's media. */
export interface CallDeps {
  sessionId: string;
  /** Perfect negotiation: the polite side yields when both offer at once. */
  polite: boolean;
  iceServers(): Promise<readonly IceServer[]>;
  send(input: {
    sessionId: string;
    attempt: string;
    to: string | null;
    signal: CallSignalInput;
  }): Promise<unknown>;
  subscribe(
    input: { sessionId: string; attempt: string },
    handlers: { onStarted(): void; onData(signal: CallSignal): void; onError(error: unknown): void },
  ): () => void;
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  createPeerConnection(config: RTCConfiguration): RTCPeerConnection;
  newAttempt(): string;
  /** The API error's code (NOT_FOUND, TOO_MANY_REQUESTS...) and its text for a person. */
  describeError(error: unknown): { code: string | null; message: string };
  /** How long a new connection may take before the polite side starts it over (default 12 s). */
  connectTimeoutMs?: number;
}

const CONNECT_TIMEOUT_MS = 12_000;

const INITIAL: CallState = {
  phase: { kind: 'idle' },
  local: null,
  remote: null,
  micOn: true,
  cameraOn: true,
  hasAudio: false,
  hasVideo: false,
};

/** getUserMedia's DOMException names, as the problem a person can fix. */
export function mediaProblemOf(error: unknown): MediaProblem {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
    case 'DevicesNotFoundError':
      return 'no_device';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'in_use';
    // Thrown by CallDeps.getUserMedia where the page has no navigator.mediaDevices (plain http).
    case 'InsecureContextError':
      return 'insecure';
    default:
      return 'other';
  }
}

/**
 * One side of a session's WebRTC call: media, the peer connection and its signalling, with
 * MDN's perfect negotiation (either side may offer; the polite one yields on a collision).
 *
 * Joins are attempts: each join (a reload, a rejoin) has a fresh id. The server tells the other
 * side `join` when this side's subscription listens; a side that hears `join` starts a fresh
 * connection and answers `here` to that attempt; a side that hears `here` from a new attempt
 * starts one too. Signals of attempts left behind are ignored, so a late message of an old tab
 * cannot disturb the new connection. Incoming signals are handled one at a time, in order, and
 * outgoing ones are sent one at a time, in order.
 */
export class CallEngine {
  #deps: CallDeps;
  #state: CallState = INITIAL;
  #listeners = new Set<() => void>();
  #attempt: string | null = null;
  #peerAttempt: string | null = null;
  #pc: RTCPeerConnection | null = null;
  #iceServers: readonly IceServer[] = [];
  #unsubscribe: (() => void) | null = null;
  #inbox: Promise<void> = Promise.resolve();
  #outbox: Promise<void> = Promise.resolve();
  #makingOffer = false;
  #ignoreOffer = false;
  #settingRemoteAnswer = false;
  #restartedIce = false;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;

  constructor(deps: CallDeps) {
    this.#deps = deps;
  }

  get state(): CallState {
    return this.#state;
  }

  /** For useSyncExternalStore. */
  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getState = (): CallState => this.#state;

  /** Asks for camera and microphone, then enters the call. Also "Try again" and "Rejoin". */
  async join(): Promise<void> {
    if (this.#disposed) return;
    this.#stopSignalling();
    this.#closePeer();
    if (!this.#state.local) {
      this.#set({ phase: { kind: 'starting' } });
      const local = await this.#openMedia();
      if (!local) return;
      this.#set({
        local,
        hasAudio: local.getAudioTracks().length > 0,
        hasVideo: local.getVideoTracks().length > 0,
        micOn: true,
        cameraOn: true,
      });
    }
    try {
      this.#iceServers = await this.#deps.iceServers();
    } catch (error) {
      return this.#failed(error);
    }
    if (this.#disposed) return;
    const attempt = this.#deps.newAttempt();
    this.#attempt = attempt;
    this.#set({ phase: { kind: 'waiting' } });
    this.#unsubscribe = this.#deps.subscribe(
      { sessionId: this.#deps.sessionId, attempt },
      {
        // (Re)started, after a lost socket too: the other side hears `join` and starts afresh,
        // so this side must as well.
        onStarted: () =>
          this.#enqueue(attempt, async () => {
            this.#closePeer();
            this.#peerAttempt = null;
            if (this.#state.phase.kind !== 'peer_dropped') this.#set({ phase: { kind: 'waiting' } });
          }),
        onData: (signal) => this.#enqueue(attempt, () => this.#receive(signal)),
        onError: (error) => this.#enqueue(attempt, async () => this.#failed(error)),
      },
    );
  }

  /** Hangs up: tells the other side, then stops listening, and releases camera and microphone. */
  async leave(): Promise<void> {
    const attempt = this.#attempt;
    const to = this.#peerAttempt;
    const unsubscribe = this.#unsubscribe;
    // Nothing more is handled for this attempt from here on.
    this.#unsubscribe = null;
    this.#attempt = null;
    this.#peerAttempt = null;
    this.#closePeer();
    this.#stopMedia();
    this.#set({ phase: { kind: 'left' } });
    if (attempt) {
      // The hang-up first, then the subscription's end: the other side reads "left", not "dropped".
      await this.#deps
        .send({
          sessionId: this.#deps.sessionId,
          attempt,
          to,
          signal: { kind: 'leave', payload: { reason: 'hangup' } },
        })
        .catch(() => {
          // The subscription's end tells the other side anyway ("dropped").
        });
    }
    unsubscribe?.();
  }

  setMic(on: boolean): void {
    for (const track of this.#state.local?.getAudioTracks() ?? []) track.enabled = on;
    this.#set({ micOn: on });
  }

  setCamera(on: boolean): void {
    for (const track of this.#state.local?.getVideoTracks() ?? []) track.enabled = on;
    this.#set({ cameraOn: on });
  }

  /** The component went away (page left): nothing keeps running. */
  dispose(): void {
    this.#disposed = true;
    this.#stopSignalling();
    this.#closePeer();
    this.#stopMedia();
  }

  async #openMedia(): Promise<MediaStream | null> {
    try {
      return await this.#deps.getUserMedia({ audio: true, video: true });
    } catch (error) {
      const problem = mediaProblemOf(error);
      // No camera (or no microphone): join with what there is.
      if (problem === 'no_device') {
        for (const constraints of [{ audio: true }, { video: true }]) {
          try {
            return await this.#deps.getUserMedia(constraints);
          } catch {
            // try the next
          }
        }
      }
      this.#set({ phase: { kind: 'media_error', problem } });
      return null;
    }
  }

  #enqueue(attempt: string, work: () => Promise<void>): void {
    this.#inbox = this.#inbox
      .then(() => (this.#attempt === attempt && !this.#disposed ? work() : undefined))
      .catch((error: unknown) => {
        // A failed WebRTC step (a description the browser refuses): start over from a clean slate.
        console.warn('call: signal handling failed', error);
      });
  }

  async #receive(signal: CallSignal): Promise<void> {
    switch (signal.kind) {
      case 'join':
        // Their tab (re)joined: tell it we are here, and offer a fresh connection to that attempt.
        this.#peerAttempt = signal.attempt;
        this.#send({ kind: 'here', payload: {} });
        this.#openPeer(true);
        return;
      case 'here':
        // We joined and they are in the call: their offer comes next. Waiting for it, rather than
        // offering too, avoids the offer collision (rollback) in the usual case.
        if (signal.attempt !== this.#peerAttempt) {
          this.#peerAttempt = signal.attempt;
          this.#closePeer();
          this.#set({ phase: { kind: 'connecting' } });
        }
        return;
      case 'description':
        if (signal.attempt !== this.#peerAttempt) return;
        return this.#onDescription(signal.payload);
      case 'candidate':
        if (signal.attempt !== this.#peerAttempt || !this.#pc) return;
        if (!signal.payload.candidate) return;
        try {
          await this.#pc.addIceCandidate(signal.payload);
        } catch (error) {
          if (!this.#ignoreOffer) console.warn('call: ICE candidate refused', error);
        }
        return;
      case 'leave':
        if (signal.attempt !== this.#peerAttempt) return;
        this.#peerAttempt = null;
        this.#closePeer();
        this.#set({
          phase: { kind: signal.payload.reason === 'hangup' ? 'peer_left' : 'peer_dropped' },
          remote: null,
        });
        return;
      case 'ended':
        this.#stopSignalling();
        this.#closePeer();
        this.#stopMedia();
        this.#set({ phase: { kind: 'ended' } });
        return;
    }
  }

  async #onDescription(description: { type: 'offer' | 'answer'; sdp: string }): Promise<void> {
    // The offer we waited for after `here`: the connection starts with it, our tracks join in answer.
    if (!this.#pc && description.type === 'offer') this.#openPeer(false);
    const pc = this.#pc;
    if (!pc) return;
    const readyForOffer = !this.#makingOffer && (pc.signalingState === 'stable' || this.#settingRemoteAnswer);
    const collision = description.type === 'offer' && !readyForOffer;
    this.#ignoreOffer = !this.#deps.polite && collision;
    if (this.#ignoreOffer) return;
    this.#settingRemoteAnswer = description.type === 'answer';
    await pc.setRemoteDescription(description);
    this.#settingRemoteAnswer = false;
    if (description.type === 'offer') {
      this.#addLocalTracks(pc);
      await pc.setLocalDescription();
      this.#sendDescription(pc);
    }
  }

  /** Sends this side's camera and microphone on `pc`, once. */
  #addLocalTracks(pc: RTCPeerConnection): void {
    const local = this.#state.local;
    if (!local) return;
    const sending = new Set(pc.getSenders().map((sender) => sender.track));
    for (const track of local.getTracks()) if (!sending.has(track)) pc.addTrack(track, local);
  }

  /** A fresh connection to the peer's current attempt; `offer`: add our tracks now, which makes us offer. */
  #openPeer(offer: boolean): void {
    this.#closePeer();
    const pc = this.#deps.createPeerConnection({
      iceServers: this.#iceServers.map((server) => ({ ...server })),
    });
    this.#pc = pc;
    this.#makingOffer = false;
    this.#ignoreOffer = false;
    this.#settingRemoteAnswer = false;
    this.#restartedIce = false;
    const remote = new MediaStream();
    this.#set({ remote, phase: { kind: 'connecting' } });
    if (offer) this.#addLocalTracks(pc);
    this.#watch(pc);
    pc.ontrack = ({ track }) => {
      if (this.#pc !== pc) return;
      remote.addTrack(track);
      // A new object, so the view sees the change.
      this.#set({ remote: new MediaStream(remote.getTracks()) });
    };
    pc.onicecandidate = ({ candidate }) => {
      if (this.#pc !== pc || !candidate?.candidate) return;
      this.#send({
        kind: 'candidate',
        payload: {
          candidate: candidate.candidate,
          sdpMid: candidate.sdpMid,
          sdpMLineIndex: candidate.sdpMLineIndex,
          usernameFragment: candidate.usernameFragment,
        },
      });
    };
    pc.onnegotiationneeded = async () => {
      if (this.#pc !== pc) return;
      try {
        this.#makingOffer = true;
        await pc.setLocalDescription();
        // An offer that arrived meanwhile may have replaced ours (rollback): then the answer is sent instead.
        if (this.#pc === pc && pc.signalingState === 'have-local-offer') this.#sendDescription(pc);
      } catch (error) {
        console.warn('call: offer failed', error);
      } finally {
        this.#makingOffer = false;
      }
    };
    pc.onconnectionstatechange = () => {
      if (this.#pc !== pc) return;
      switch (pc.connectionState) {
        case 'connected':
          this.#set({ phase: { kind: 'connected' } });
          return;
        case 'disconnected':
          // Often comes back by itself within seconds; say so meanwhile.
          this.#set({ phase: { kind: 'peer_dropped' } });
          return;
        case 'failed':
          // One ICE restart (perfect negotiation renegotiates it); then it is a failure to show.
          if (!this.#restartedIce) {
            this.#restartedIce = true;
            pc.restartIce();
          }
          this.#set({ phase: { kind: 'ice_failed' } });
          return;
        default:
          return;
      }
    };
  }

  /**
   * A connection that is still not up after connectTimeoutMs starts over: the polite side joins
   * again with a new attempt, so the other side offers a fresh connection (one side only, so the
   * two restarts cannot collide).
   */
  #watch(pc: RTCPeerConnection): void {
    if (!this.#deps.polite) return;
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => {
      if (this.#pc !== pc || this.#disposed) return;
      if (pc.connectionState === 'new' || pc.connectionState === 'connecting') void this.join();
    }, this.#deps.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
  }

  #sendDescription(pc: RTCPeerConnection): void {
    const description = pc.localDescription;
    if (!description || (description.type !== 'offer' && description.type !== 'answer')) return;
    this.#send({ kind: 'description', payload: { type: description.type, sdp: description.sdp } });
  }

  #send(signal: CallSignalInput): void {
    const attempt = this.#attempt;
    if (!attempt) return;
    const to = this.#peerAttempt;
    this.#outbox = this.#outbox
      .then(() => this.#deps.send({ sessionId: this.#deps.sessionId, attempt, to, signal }))
      .then(
        () => undefined,
        (error: unknown) => {
          if (this.#attempt === attempt) this.#failed(error);
        },
      );
  }

  #failed(error: unknown): void {
    const { code, message } = this.#deps.describeError(error);
    // The call is not (or no longer) open to us: the session finished or moved on.
    if (code === 'NOT_FOUND') {
      this.#stopSignalling();
      this.#closePeer();
      this.#stopMedia();
      this.#set({ phase: { kind: 'ended' } });
      return;
    }
    this.#stopSignalling();
    this.#closePeer();
    this.#set({ phase: { kind: 'error', message, code } });
  }

  #closePeer(): void {
    clearTimeout(this.#watchdog);
    const pc = this.#pc;
    this.#pc = null;
    if (pc) {
      pc.ontrack = null;
      pc.onicecandidate = null;
      pc.onnegotiationneeded = null;
      pc.onconnectionstatechange = null;
      pc.close();
    }
    if (this.#state.remote) this.#set({ remote: null });
  }

  #stopSignalling(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#attempt = null;
    this.#peerAttempt = null;
  }

  #stopMedia(): void {
    for (const track of this.#state.local?.getTracks() ?? []) track.stop();
    if (this.#state.local) this.#set({ local: null, hasAudio: false, hasVideo: false });
  }

  #set(patch: Partial<CallState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener();
  }
}
