import { z } from 'zod';
import type { Viewer, VisibilityFacts } from './visibility.ts';

/**
 * Who may be in a session's video call: its customer and its assigned mechanic, while the session
 * is accepted and is a video session. Nobody else, admins included (they read, they do not join).
 * The one membership check of every call procedure; a refusal answers like an unknown session.
 */
export function isCallMember(viewer: Viewer, a: VisibilityFacts): boolean {
  if (a.sessionType !== 'video' || a.status !== 'accepted') return false;
  switch (viewer.role) {
    case 'customer':
      return a.customerId === viewer.userId;
    case 'mechanic':
      return a.mechanicId === viewer.userId;
    case 'admin':
      return false;
  }
}

/** The other member of the call, or null when the viewer is not one. */
export function callPeerOf(viewer: Viewer, a: VisibilityFacts): string | null {
  if (!isCallMember(viewer, a)) return null;
  return viewer.role === 'customer' ? a.mechanicId : a.customerId;
}

/** A real offer or answer for audio and video with its candidates is 3-8 KB; far more is not SDP. */
export const MAX_SDP_CHARS = 16_000;

// SDP (RFC 8866) is lines of printable ASCII ending in CRLF; nothing else belongs in it.
const SDP_TEXT = /^[\x20-\x7e\r\n]*$/;
// An ICE candidate line (RFC 8839) is one line of printable ASCII.
const CANDIDATE_TEXT = /^[\x20-\x7e]*$/;
const TOKEN = /^[\x21-\x7e]*$/;

const sdp = z
  .string()
  .max(MAX_SDP_CHARS, `A session description can be at most ${MAX_SDP_CHARS} characters`)
  .regex(SDP_TEXT, 'A session description is printable ASCII lines')
  .refine((value) => value.startsWith('v=0'), 'A session description starts with v=0');

/**
 * One signal from a call member's browser. `attempt` names one join of one browser tab (a reload
 * is a new attempt): a peer that sees a new attempt starts a fresh connection, and signals of an
 * attempt it has left behind are ignored. The server adds who sent it.
 */
export const callSignalSchema = z.discriminatedUnion('kind', [
  /** "I am here": the answer to the other side's join (sent by the server when a tab subscribes). */
  z.object({ kind: z.literal('here'), payload: z.object({}).strict() }).strict(),
  z
    .object({
      kind: z.literal('description'),
      payload: z.object({ type: z.enum(['offer', 'answer']), sdp }).strict(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('candidate'),
      payload: z
        .object({
          // An empty candidate is the end-of-candidates marker.
          candidate: z.string().max(1_000).regex(CANDIDATE_TEXT, 'An ICE candidate is one line of text'),
          sdpMid: z.string().max(64).regex(TOKEN, 'sdpMid is a token').nullable(),
          sdpMLineIndex: z.number().int().min(0).max(64).nullable(),
          usernameFragment: z.string().max(256).regex(TOKEN, 'usernameFragment is a token').nullable(),
        })
        .strict(),
    })
    .strict(),
  z
    .object({ kind: z.literal('leave'), payload: z.object({ reason: z.literal('hangup') }).strict() })
    .strict(),
]);
export type CallSignalInput = z.output<typeof callSignalSchema>;

/** An attempt id: what a browser tab generates when it joins (crypto.randomUUID()). */
export const callAttemptSchema = z.uuid('An attempt is a UUID');

/**
 * What a member's subscription receives: the other side's signals, plus the server's own `join`
 * (the other side's tab subscribed), `leave` with `dropped` (its subscription ended without a
 * hang-up) and `ended` (the session is no longer in progress: the call is over for good).
 */
export type CallSignal =
  | (CallSignalInput & { attempt: string })
  | { kind: 'join'; attempt: string; payload: Record<string, never> }
  | { kind: 'leave'; attempt: string; payload: { reason: 'dropped' } }
  | { kind: 'ended'; attempt: null; payload: Record<string, never> };

/** One ICE server as RTCPeerConnection takes it; from configuration (ICE_SERVERS), never hard-coded. */
export const iceServerSchema = z
  .object({
    urls: z
      .union([z.string(), z.array(z.string()).min(1).max(8)])
      .refine(
        (urls) =>
          (Array.isArray(urls) ? urls : [urls]).every((url) => /^(stun|stuns|turn|turns):\S+$/.test(url)),
        'ICE server urls start with stun:, stuns:, turn: or turns:',
      ),
    username: z.string().max(512).optional(),
    credential: z.string().max(512).optional(),
  })
  .strict();
export type IceServer = z.output<typeof iceServerSchema>;
