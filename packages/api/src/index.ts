export {
  type AuditOptions,
  audit,
  FINDING_KINDS,
  type Finding,
  type FindingKind,
  fixFindings,
} from './audit/index.ts';
export { AuthSessions } from './auth/auth-sessions.ts';
export { readSessionToken } from './auth/cookie.ts';
export type { ApiConfig, Context, Services, SignedInUser } from './context.ts';
export { createContextFactory, type ProxyTrust, requestIdOf, requestMeta } from './create-context.ts';
export { Dispatcher } from './dispatch/dispatcher.ts';
export { effectivePresence, HEARTBEAT_INTERVAL_MS, PRESENCE_TIMEOUT_MS } from './dispatch/presence.ts';
export { Admission, type AdmissionLimits } from './errors/admission.ts';
export { retryAfterMsOf } from './errors/retry-later.ts';
export {
  AUTH_REVOKED_CHANNEL,
  DEFAULT_SLOW_CONSUMER_LIMITS,
  EVENT_COLUMNS,
  EventHub,
  type EventHubOptions,
  type EventRow,
  fromRow,
  HEAD_SQL,
  type HeadRow,
  headOf,
  onCommittedEvents,
  projectForSessions,
  projectForStaff,
  StaffFanOut,
  type StoredEvent,
  shared,
  sharedJson,
  TOO_SLOW_CLOSE_CODE,
} from './log/index.ts';
export { createMetrics, type Metrics } from './observability/metrics.ts';
export { type Receipt, type ReceiptSink, ReceiptWriter } from './observability/receipts.ts';
export { type WhoCouldSee, whoCouldSee } from './queries/who-could-see.ts';
export { type AppRouter, appRouter, type RouterInputs, type RouterOutputs } from './root.ts';
export { photoUploadRefusal, roomPhoto, uploadRoomPhoto } from './routers/room/photos.ts';
export {
  DEFAULT_RATE_LIMITS,
  memoryRateLimiter,
  type RateLimiter,
  type RateLimits,
  sharedRateLimiter,
} from './security/rate-limit.ts';
export { createCallerFactory, internalErrorMessage } from './trpc.ts';
