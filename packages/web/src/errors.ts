import { TRPCClientError } from '@trpc/client';

/** What the server attaches to every error (see the protocol contract in packages/api). */
interface ErrorData {
  code?: string;
  /** The domain rule that refused, e.g. 'invalid_transition', 'open_request_exists'. */
  refusal?: string | null;
  /** Set on TOO_MANY_REQUESTS and SERVICE_UNAVAILABLE: retry after this long, with the same key. */
  retryAfterMs?: number | null;
  requestId?: string;
  zodError?: { fieldErrors?: Record<string, string[] | undefined>; formErrors?: string[] } | null;
}

function dataOf(error: unknown): ErrorData | undefined {
  return error instanceof TRPCClientError ? (error.data as ErrorData | undefined) : undefined;
}

/** Field-level messages from a server validation error, keyed by the input path's last part (`intake.vehicleYear` → `vehicleYear`). */
export function fieldErrors(error: unknown): Record<string, string> {
  const fields = dataOf(error)?.zodError?.fieldErrors ?? {};
  const out: Record<string, string> = {};
  for (const [key, messages] of Object.entries(fields)) {
    const first = messages?.[0];
    const field = key.split('.').pop() ?? key;
    if (first && !out[field]) out[field] = first;
  }
  return out;
}

export function errorCode(error: unknown): string | null {
  return dataOf(error)?.code ?? null;
}

/** The domain refusal code of a refused action ('open_request_exists', 'invalid_transition', …), if any. */
export function refusalCode(error: unknown): string | null {
  return dataOf(error)?.refusal ?? null;
}

/** The server's "retry after" hint in milliseconds, if it gave one. */
export function retryAfterMs(error: unknown): number | null {
  const value = dataOf(error)?.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * True when the request never got an answer from our server: the fetch failed (server down,
 * network cut), or something in between answered with a body that is not a tRPC error (a proxy's
 * 502 page). The action may or may not have happened; only a re-read can tell.
 */
export function isUnreachable(error: unknown): boolean {
  if (error instanceof TRPCClientError) return error.data === undefined || error.data === null;
  return error instanceof TypeError || (error instanceof Error && /fetch|network/i.test(error.message));
}

/** Worth retrying by itself: unreachable, or the server said "busy, come back" (with the same idempotency key). */
export function isTransient(error: unknown): boolean {
  if (isUnreachable(error)) return true;
  const code = errorCode(error);
  return code === 'SERVICE_UNAVAILABLE' || code === 'TOO_MANY_REQUESTS' || code === 'TIMEOUT';
}

/** Back-off for retries: the server's hint if it gave one, else 0.5 s doubling up to `capMs`, with jitter. */
export function retryDelayMs(attempt: number, error?: unknown, capMs = 4_000): number {
  const hinted = retryAfterMs(error);
  if (hinted !== null) return hinted;
  const base = Math.min(capMs, 500 * 2 ** attempt);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

/**
 * Queries: keep retrying while the server is unreachable or busy (the page keeps what it had and
 * recovers by itself when the server is back); a real answer such as NOT_FOUND is not retried.
 */
export function retryQuery(failureCount: number, error: unknown): boolean {
  if (isTransient(error)) return true;
  return errorCode(error) === 'INTERNAL_SERVER_ERROR' && failureCount < 2;
}

/** The sentence for a domain refusal, in the customer's or mechanic's situation. */
const REFUSALS: Record<string, string> = {
  open_request_exists:
    'You already have an open request. Check on it, or confirm that you want a second one.',
  invalid_transition:
    'This request has moved on meanwhile, so that is no longer possible. Here is where it stands now.',
  not_owner: 'This request belongs to another account.',
  actor_not_allowed: 'Your account cannot do this.',
  not_offered_to_you: 'This request is offered to another mechanic.',
  not_your_assignment: 'Only the mechanic who accepted this request can do that.',
  offer_expired: 'This offer has expired.',
  offer_still_open: 'This offer is still open to another mechanic.',
  already_declined: 'You already declined this request.',
  already_exists: 'This request already exists.',
  not_created: 'This request does not exist yet.',
  reason_required: 'Please give a reason.',
};

const BY_CODE: Record<string, string> = {
  UNAUTHORIZED: 'Please log in again.',
  FORBIDDEN: 'Your account cannot do this.',
  NOT_FOUND: 'We could not find that. It may have been removed.',
  CONFLICT: 'This changed meanwhile. Look at where it stands now and try again.',
  PAYLOAD_TOO_LARGE: 'That is too long to send. Please shorten it.',
};

/** Our server's messages for these codes are written for people; a library's are not. */
const LIBRARY_TEXT =
  /procedure|prisma|invalid `|trpc|json|unexpected token|fetch|econn|socket|stack|\bat\s+\S+\s+\(/i;

export const UNREACHABLE_MESSAGE = 'Cannot reach the server. Check your connection and try again.';

/**
 * One sentence for the user about their situation, for every error either app can meet: never a
 * library's text ("Failed to fetch", a Prisma or tRPC message). The one mapping for both apps.
 */
export function errorMessage(error: unknown): string {
  if (isUnreachable(error)) return UNREACHABLE_MESSAGE;
  if (!(error instanceof TRPCClientError)) return 'Something went wrong. Please try again.';
  const data = dataOf(error) ?? {};
  const refusal = data.refusal ? REFUSALS[data.refusal] : undefined;
  if (refusal) return refusal;
  switch (data.code) {
    case 'INTERNAL_SERVER_ERROR':
      return `Something went wrong on our side. Please try again.${data.requestId ? ` (Reference ${data.requestId}.)` : ''}`;
    case 'TOO_MANY_REQUESTS': {
      const wait = retryAfterMs(error);
      if (wait !== null) return `Too many attempts. Try again in ${Math.max(1, Math.ceil(wait / 1000))} s.`;
      return ownWords(error.message) ?? 'Too many attempts. Wait a moment and try again.';
    }
    case 'SERVICE_UNAVAILABLE':
    case 'TIMEOUT':
      return 'We are busy right now. Retrying…';
    case 'BAD_REQUEST':
      return data.zodError
        ? 'Please check the highlighted fields.'
        : 'Something went wrong. Please try again.';
  }
  const fallback = data.code ? BY_CODE[data.code] : undefined;
  if (!fallback) return 'Something went wrong. Please try again.';
  return ownWords(error.message) ?? fallback;
}

function ownWords(message: string): string | null {
  const own = message.trim();
  return own && own.length <= 200 && !LIBRARY_TEXT.test(own) ? own : null;
}

/**
 * The server's retry hint on a busy refusal (SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS), capped at
 * 30 s, or null for any other error: mutations retry only these, with the same input (so the same
 * idempotency key).
 */
export function retryAfterMsOf(error: unknown): number | null {
  const code = dataOf(error)?.code;
  if (code !== 'SERVICE_UNAVAILABLE' && code !== 'TOO_MANY_REQUESTS') return null;
  const hint = retryAfterMs(error);
  return hint === null ? null : Math.min(hint, 30_000);
}
