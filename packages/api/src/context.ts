import type { Db } from '@dispatch/db';
import type { DispatchMode, IceServer } from '@dispatch/domain';
import type { Logger } from 'pino';
import type { AuthSessions } from './auth/auth-sessions.ts';
import type { SignedInUser } from './auth/signed-in-user.ts';
import type { Admission } from './errors/admission.ts';
import type { EventHub } from './log/hub.ts';
import type { StaffFanOut } from './log/live-fanout.ts';
import type { LiveTransport, SlowConsumerLimits } from './log/stream.ts';
import type { Metrics } from './observability/metrics.ts';
import type { ReceiptSink } from './observability/receipts.ts';
import type { RateLimiter } from './security/rate-limit.ts';

export interface ApiConfig {
  dispatchMode: DispatchMode;
  offerTimeoutMs: number;
  queueTimeoutMs: number;
  /** Origins allowed to send cookie-authenticated requests; empty allows same-origin only. */
  allowedOrigins: readonly string[];
  /** Consecutive unanswered targeted offers before a mechanic is set Away (0: never). */
  missedOfferLimit?: number;
  /** When a subscriber that stopped reading is paused, and when it is cut off to resume later. */
  slowConsumer?: SlowConsumerLimits;
  /** STUN/TURN servers handed to video-call browsers (ICE_SERVERS); none: same machine or LAN only. */
  iceServers?: readonly IceServer[];
}

/** What every request can use; built once per process. */
export interface Services {
  db: Db;
  hub: EventHub;
  auth: AuthSessions;
  admission: Admission;
  config: ApiConfig;
  log: Logger;
  now: () => Date;
  rateLimiter: RateLimiter;
  metrics: Metrics;
  /** Delivery receipts ("who could see this?"); absent where nothing records them. */
  receipts?: ReceiptSink;
  /** The queue's live fan-out (one frame per visibility class); absent: every subscription pulls. */
  fanOut?: StaffFanOut;
}

export type { SignedInUser } from './auth/signed-in-user.ts';

/** Facts about the caller's connection, recorded on waivers and events. */
export interface RequestMeta {
  requestId: string;
  ip: string;
  userAgent: string;
  secure: boolean;
}

export interface Context extends Services {
  user: SignedInUser | null;
  /**
   * The request's session token when this process has not cached its user: the call's middleware
   * (trpc.ts) looks it up inside its admission slot and sets `user` for the procedure.
   */
  unresolvedSessionToken?: string;
  meta: RequestMeta;
  /** Sets a cookie on the HTTP response; absent on WebSocket connections. */
  setCookie: ((header: string) => void) | null;
  /** The WebSocket a subscription writes to (back-pressure); null over HTTP. */
  transport: LiveTransport | null;
}
