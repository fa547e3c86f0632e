import type { CallSignal } from '@dispatch/domain';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { errorCode, errorMessage } from '../errors.ts';
import { useTRPCClient } from '../trpc.ts';
import { CallEngine, type CallState } from './call-engine.ts';

const IDLE: CallState = {
  phase: { kind: 'idle' },
  local: null,
  remote: null,
  micOn: true,
  cameraOn: true,
  hasAudio: false,
  hasVideo: false,
};
const noEngine = () => () => {};

/** Remembered per tab, so a reload (or a crash of the page) rejoins the call by itself. */
const joinedKey = (sessionId: string) => `dispatch.call.${sessionId}`;

function remembered(sessionId: string): boolean {
  try {
    return sessionStorage.getItem(joinedKey(sessionId)) === 'joined';
  } catch {
    return false;
  }
}

function remember(sessionId: string, joined: boolean): void {
  try {
    if (joined) sessionStorage.setItem(joinedKey(sessionId), 'joined');
    else sessionStorage.removeItem(joinedKey(sessionId));
  } catch {
    // Storage blocked: a reload then shows "Join call" again, which is fine.
  }
}

export interface VideoCall {
  state: CallState;
  join(): void;
  leave(): void;
  setMic(on: boolean): void;
  setCamera(on: boolean): void;
}

/**
 * This tab's side of a session's video call (see CallEngine), signalled over the app's tRPC
 * WebSocket. `polite`: the customer's side yields on an offer collision, the mechanic's does not.
 */
export function useVideoCall(sessionId: string, polite: boolean): VideoCall {
  const client = useTRPCClient();
  const [engine, setEngine] = useState<CallEngine | null>(null);
  useEffect(() => {
    const created = new CallEngine({
      sessionId,
      polite,
      iceServers: async () => (await client.videoCall.config.query({ sessionId })).iceServers,
      send: (input) => client.videoCall.signal.mutate(input),
      subscribe: (input, handlers) => {
        const subscription = client.videoCall.onSignal.subscribe(input, {
          onStarted: handlers.onStarted,
          onData: (signal) => handlers.onData(signal as CallSignal),
          onError: handlers.onError,
        });
        return () => subscription.unsubscribe();
      },
      getUserMedia: async (constraints) => {
        // Browsers give only secure (https, localhost) pages a navigator.mediaDevices.
        if (!navigator.mediaDevices?.getUserMedia) {
          throw Object.assign(new Error('no mediaDevices'), { name: 'InsecureContextError' });
        }
        return navigator.mediaDevices.getUserMedia(constraints);
      },
      createPeerConnection: (config) => new RTCPeerConnection(config),
      newAttempt: () => crypto.randomUUID(),
      describeError: (error) => ({ code: errorCode(error), message: errorMessage(error) }),
    });
    setEngine(created);
    if (remembered(sessionId)) void created.join();
    return () => created.dispose();
  }, [client, sessionId, polite]);
  const state = useSyncExternalStore(engine?.subscribe ?? noEngine, () => engine?.getState() ?? IDLE);
  // In the call (or trying to be) survives a reload; left, ended or refused does not.
  const phase = state.phase.kind;
  useEffect(() => {
    if (phase === 'left' || phase === 'ended' || phase === 'media_error') remember(sessionId, false);
  }, [phase, sessionId]);
  const join = useCallback(() => {
    remember(sessionId, true);
    void engine?.join();
  }, [engine, sessionId]);
  const leave = useCallback(() => {
    remember(sessionId, false);
    void engine?.leave();
  }, [engine, sessionId]);
  const setMic = useCallback((on: boolean) => engine?.setMic(on), [engine]);
  const setCamera = useCallback((on: boolean) => engine?.setCamera(on), [engine]);
  return { state, join, leave, setMic, setCamera };
}
