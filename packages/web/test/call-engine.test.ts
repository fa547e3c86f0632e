// The call engine's rules, one side at a time, against a scripted other side and a fake
// RTCPeerConnection: which attempt it follows, what a join/here/leave/ended does, what each
// getUserMedia failure becomes, the ICE restart and failure, and the order of a hang-up. The
// real browsers and the real relay are in packages/e2e/test/video-call.test.ts.
import type { CallSignal } from '@dispatch/domain';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type CallDeps, CallEngine, mediaProblemOf } from '../src/call/call-engine.ts';

class FakeTrack {
  enabled = true;
  stopped = false;
  constructor(readonly kind: 'audio' | 'video') {}
  stop() {
    this.stopped = true;
  }
}

class FakeStream {
  #tracks: FakeTrack[];
  constructor(tracks: FakeTrack[] = []) {
    this.#tracks = [...tracks];
  }
  getTracks() {
    return [...this.#tracks];
  }
  getAudioTracks() {
    return this.#tracks.filter((t) => t.kind === 'audio');
  }
  getVideoTracks() {
    return this.#tracks.filter((t) => t.kind === 'video');
  }
  addTrack(track: FakeTrack) {
    this.#tracks.push(track);
  }
}

beforeAll(() => {
  (globalThis as unknown as { MediaStream: unknown }).MediaStream = FakeStream;
});

class FakePeer {
  connectionState: RTCPeerConnectionState = 'new';
  signalingState: RTCSignalingState = 'stable';
  localDescription: { type: 'offer' | 'answer'; sdp: string } | null = null;
  closed = false;
  senders: { track: FakeTrack }[] = [];
  get tracks(): string[] {
    return this.senders.map((sender) => sender.track.kind);
  }
  ontrack: ((event: { track: FakeTrack }) => void) | null = null;
  onicecandidate: ((event: { candidate: unknown }) => void) | null = null;
  onnegotiationneeded: (() => Promise<void>) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  restartIce = vi.fn();
  addIceCandidate = vi.fn(async () => {});
  setRemoteDescription = vi.fn(async (description: { type: string }) => {
    this.signalingState = description.type === 'offer' ? 'have-remote-offer' : 'stable';
  });
  setLocalDescription = vi.fn(async () => {
    const type = this.signalingState === 'have-remote-offer' ? 'answer' : 'offer';
    this.localDescription = { type, sdp: `v=0\r\ns=${type}\r\n` };
    this.signalingState = type === 'offer' ? 'have-local-offer' : 'stable';
  });
  constructor(readonly config: RTCConfiguration) {}
  addTrack(track: FakeTrack) {
    this.senders.push({ track });
  }
  getSenders() {
    return this.senders;
  }
  close() {
    this.closed = true;
  }
  becomes(state: RTCPeerConnectionState) {
    this.connectionState = state;
    this.onconnectionstatechange?.();
  }
}

const SESSION = '11111111-1111-4111-8111-111111111111';
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
class NamedError extends Error {
  constructor(name: string) {
    super(name);
    this.name = name;
  }
}

/** One engine with everything around it scripted and recorded. */
function setUp(
  options: {
    media?: (constraints: MediaStreamConstraints) => Promise<unknown>;
    config?: () => Promise<unknown>;
    polite?: boolean;
    connectTimeoutMs?: number;
  } = {},
) {
  const peers: FakePeer[] = [];
  const sent: { attempt: string; to: string | null; kind: string; payload: unknown }[] = [];
  const log: string[] = [];
  let handlers: Parameters<CallDeps['subscribe']>[1] | null = null;
  let attempts = 0;
  let failSend: unknown = null;
  const deps: CallDeps = {
    sessionId: SESSION,
    polite: options.polite ?? true,
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    iceServers: (options.config ??
      (async () => [{ urls: 'turn:turn.example.test:3478' }])) as CallDeps['iceServers'],
    send: async (input) => {
      if (failSend) throw failSend;
      log.push(`send ${input.signal.kind}`);
      sent.push({
        attempt: input.attempt,
        to: input.to,
        kind: input.signal.kind,
        payload: input.signal.payload,
      });
    },
    subscribe: (input, given) => {
      log.push(`subscribe ${input.attempt}`);
      handlers = given;
      return () => {
        log.push(`unsubscribe ${input.attempt}`);
        handlers = null;
      };
    },
    getUserMedia: (options.media ??
      (async () =>
        new FakeStream([new FakeTrack('audio'), new FakeTrack('video')]))) as CallDeps['getUserMedia'],
    createPeerConnection: (config) => {
      const peer = new FakePeer(config);
      peers.push(peer);
      return peer as unknown as RTCPeerConnection;
    },
    newAttempt: () => {
      attempts += 1;
      return `00000000-0000-4000-8000-00000000000${attempts}`;
    },
    describeError: (error) => ({
      code: (error as { code?: string }).code ?? null,
      message: 'Something went wrong on our side.',
    }),
  };
  const engine = new CallEngine(deps);
  return {
    engine,
    peers,
    sent,
    log,
    failSendWith: (error: unknown) => {
      failSend = error;
    },
    /** The server says the subscription listens, then delivers these signals. */
    async deliver(...signals: CallSignal[]) {
      for (const signal of signals) handlers?.onData(signal);
      await flush();
      await flush();
    },
    async started() {
      handlers?.onStarted();
      await flush();
    },
    get subscribed() {
      return handlers !== null;
    },
  };
}

const P1 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1';
const P2 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa2';
const join = (attempt: string): CallSignal => ({ kind: 'join', attempt, payload: {} });

describe('call engine', () => {
  it('waits for the other side, then on its join opens a connection with the configured ICE servers and answers here', async () => {
    const t = setUp();
    await t.engine.join();
    await t.started();
    expect(t.engine.state.phase.kind).toBe('waiting');
    expect(t.engine.state.hasAudio && t.engine.state.hasVideo).toBe(true);
    expect(t.peers).toHaveLength(0);
    await t.deliver(join(P1));
    expect(t.peers).toHaveLength(1);
    expect(t.peers[0]?.config.iceServers).toEqual([{ urls: 'turn:turn.example.test:3478' }]);
    expect(t.peers[0]?.tracks.sort()).toEqual(['audio', 'video']);
    expect(t.sent).toEqual([{ attempt: expect.any(String), to: P1, kind: 'here', payload: {} }]);
    expect(t.engine.state.phase.kind).toBe('connecting');
    t.peers[0]?.becomes('connected');
    expect(t.engine.state.phase.kind).toBe('connected');
  });

  it('after joining, waits for the offer of the side already there and answers it with its own tracks', async () => {
    const t = setUp();
    await t.engine.join();
    await t.started();
    await t.deliver({ kind: 'here', attempt: P1, payload: {} });
    // No offer of its own: the other side offers, so the two cannot collide.
    expect(t.peers).toHaveLength(0);
    expect(t.engine.state.phase.kind).toBe('connecting');
    await t.deliver({ kind: 'description', attempt: P1, payload: { type: 'offer', sdp: 'v=0\r\n' } });
    expect(t.peers).toHaveLength(1);
    expect(t.peers[0]?.tracks.sort()).toEqual(['audio', 'video']);
    expect(t.sent).toEqual([
      {
        attempt: expect.any(String),
        to: P1,
        kind: 'description',
        payload: { type: 'answer', sdp: expect.any(String) },
      },
    ]);
  });

  it('the polite side starts over with a new attempt when a connection does not come up in time', async () => {
    const t = setUp({ connectTimeoutMs: 30 });
    await t.engine.join();
    await t.started();
    await t.deliver(join(P1));
    t.peers[0]?.becomes('connecting');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(t.log.filter((line) => line.startsWith('subscribe'))).toHaveLength(2);
    expect(t.peers[0]?.closed).toBe(true);
    // The impolite side leaves it to the polite one.
    const impolite = setUp({ connectTimeoutMs: 30, polite: false });
    await impolite.engine.join();
    await impolite.started();
    await impolite.deliver(join(P1));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(impolite.log.filter((line) => line.startsWith('subscribe'))).toHaveLength(1);
  });

  it('answers an offer of the attempt it follows and ignores signals of attempts left behind', async () => {
    const t = setUp();
    await t.engine.join();
    await t.started();
    await t.deliver(join(P1));
    const first = t.peers[0];
    // The other side reloads: a new attempt, a fresh connection; the old one is closed.
    await t.deliver(join(P2));
    expect(first?.closed).toBe(true);
    const second = t.peers[1];
    // A late offer and candidate of the old attempt do nothing.
    await t.deliver(
      { kind: 'description', attempt: P1, payload: { type: 'offer', sdp: 'v=0\r\n' } },
      {
        kind: 'candidate',
        attempt: P1,
        payload: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null },
      },
      { kind: 'leave', attempt: P1, payload: { reason: 'dropped' } },
    );
    expect(second?.setRemoteDescription).not.toHaveBeenCalled();
    expect(second?.addIceCandidate).not.toHaveBeenCalled();
    expect(t.engine.state.phase.kind).toBe('connecting');
    // The new attempt's offer is answered, its candidate added.
    await t.deliver(
      { kind: 'description', attempt: P2, payload: { type: 'offer', sdp: 'v=0\r\n' } },
      {
        kind: 'candidate',
        attempt: P2,
        payload: { candidate: 'candidate:2', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null },
      },
    );
    expect(second?.setRemoteDescription).toHaveBeenCalledWith({ type: 'offer', sdp: 'v=0\r\n' });
    expect(second?.addIceCandidate).toHaveBeenCalledTimes(1);
    expect(t.sent.at(-1)).toMatchObject({ kind: 'description', to: P2, payload: { type: 'answer' } });
  });

  it('tells a hang-up from a drop, and the session ending releases the camera for good', async () => {
    const t = setUp();
    await t.engine.join();
    await t.started();
    await t.deliver(join(P1), { kind: 'leave', attempt: P1, payload: { reason: 'dropped' } });
    expect(t.engine.state.phase.kind).toBe('peer_dropped');
    expect(t.peers[0]?.closed).toBe(true);
    await t.deliver(join(P2), { kind: 'leave', attempt: P2, payload: { reason: 'hangup' } });
    expect(t.engine.state.phase.kind).toBe('peer_left');
    const local = t.engine.state.local as unknown as FakeStream;
    await t.deliver({ kind: 'ended', attempt: null, payload: {} });
    expect(t.engine.state.phase.kind).toBe('ended');
    expect(local.getTracks().every((track) => track.stopped)).toBe(true);
    expect(t.subscribed).toBe(false);
  });

  it('restarts ICE once when the connection fails and says so; Try again is a new attempt', async () => {
    const t = setUp();
    await t.engine.join();
    await t.started();
    await t.deliver(join(P1));
    t.peers[0]?.becomes('failed');
    expect(t.peers[0]?.restartIce).toHaveBeenCalledTimes(1);
    expect(t.engine.state.phase.kind).toBe('ice_failed');
    t.peers[0]?.becomes('failed');
    expect(t.peers[0]?.restartIce).toHaveBeenCalledTimes(1);
    await t.engine.join();
    expect(t.log.filter((line) => line.startsWith('subscribe'))).toEqual([
      'subscribe 00000000-0000-4000-8000-000000000001',
      'subscribe 00000000-0000-4000-8000-000000000002',
    ]);
    expect(t.peers[0]?.closed).toBe(true);
    expect(t.engine.state.phase.kind).toBe('waiting');
  });

  it('hangs up before it stops listening, and releases camera and microphone', async () => {
    const t = setUp();
    await t.engine.join();
    await t.started();
    await t.deliver(join(P1));
    const local = t.engine.state.local as unknown as FakeStream;
    await t.engine.leave();
    expect(t.log.slice(-2)).toEqual(['send leave', 'unsubscribe 00000000-0000-4000-8000-000000000001']);
    expect(t.sent.at(-1)).toEqual({
      attempt: '00000000-0000-4000-8000-000000000001',
      to: P1,
      kind: 'leave',
      payload: { reason: 'hangup' },
    });
    expect(local.getTracks().every((track) => track.stopped)).toBe(true);
    expect(t.engine.state.phase.kind).toBe('left');
  });

  it('mutes the microphone and turns the camera off on the tracks themselves', async () => {
    const t = setUp();
    await t.engine.join();
    const local = t.engine.state.local as unknown as FakeStream;
    t.engine.setMic(false);
    t.engine.setCamera(false);
    expect(local.getTracks().map((track) => `${track.kind}:${track.enabled}`)).toEqual([
      'audio:false',
      'video:false',
    ]);
    expect(t.engine.state.micOn || t.engine.state.cameraOn).toBe(false);
  });

  it.each([
    ['NotAllowedError', 'denied'],
    ['SecurityError', 'denied'],
    ['NotReadableError', 'in_use'],
    ['InsecureContextError', 'insecure'],
    ['TypeError', 'other'],
  ] as const)('a getUserMedia %s is the %s problem, and nothing is subscribed', async (name, problem) => {
    expect(mediaProblemOf(new NamedError(name))).toBe(problem);
    const t = setUp({ media: async () => Promise.reject(new NamedError(name)) });
    await t.engine.join();
    expect(t.engine.state.phase).toEqual({ kind: 'media_error', problem });
    expect(t.subscribed).toBe(false);
  });

  it('with no camera it joins with the microphone alone; with neither it says no device', async () => {
    const audioOnly = setUp({
      media: async (constraints) => {
        if (constraints.video) throw new NamedError('NotFoundError');
        return new FakeStream([new FakeTrack('audio')]);
      },
    });
    await audioOnly.engine.join();
    expect(audioOnly.engine.state.phase.kind).toBe('waiting');
    expect([audioOnly.engine.state.hasAudio, audioOnly.engine.state.hasVideo]).toEqual([true, false]);
    const nothing = setUp({ media: async () => Promise.reject(new NamedError('NotFoundError')) });
    await nothing.engine.join();
    expect(nothing.engine.state.phase).toEqual({ kind: 'media_error', problem: 'no_device' });
  });

  it('a call no longer open to this user (NOT_FOUND) is ended; another failure is an error to retry', async () => {
    const gone = setUp({ config: async () => Promise.reject({ code: 'NOT_FOUND' }) });
    await gone.engine.join();
    expect(gone.engine.state.phase.kind).toBe('ended');
    expect(gone.engine.state.local).toBeNull();

    const limited = setUp();
    await limited.engine.join();
    await limited.started();
    limited.failSendWith({ code: 'TOO_MANY_REQUESTS' });
    await limited.deliver(join(P1));
    await flush();
    expect(limited.engine.state.phase).toMatchObject({ kind: 'error', code: 'TOO_MANY_REQUESTS' });
    expect(limited.subscribed).toBe(false);
  });
});
