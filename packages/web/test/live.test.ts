import { QueryClient } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import { describe, expect, it, vi } from 'vitest';
import {
  errorMessage,
  isTransient,
  isUnreachable,
  refusalCode,
  retryAfterMs,
  retryDelayMs,
  retryQuery,
} from '../src/errors.ts';
import { closeCodeOf } from '../src/live-api-provider.tsx';
import { foldLog, isReplay, type LoggedEvent, pruneLog } from '../src/live-log.ts';
import { applyIfNewer, nextUnreachableSince, readStreamItem } from '../src/live-snapshot.ts';
import { logOut } from '../src/log-out.ts';

function serverError(message: string, data: Record<string, unknown>) {
  return new TRPCClientError(message, { result: { error: { code: -32600, message, data } } });
}
const failedFetch = TRPCClientError.from(new TypeError('Failed to fetch'));

describe('error mapping', () => {
  it('never shows a library’s text', () => {
    expect(errorMessage(failedFetch)).not.toMatch(/fetch/i);
    expect(errorMessage(serverError('No procedure found on path "x"', { code: 'NOT_FOUND' }))).toBe(
      'We could not find that. It may have been removed.',
    );
    expect(
      errorMessage(serverError('Invalid `prisma.helpSession.create()` invocation', { code: 'CONFLICT' })),
    ).toBe('This changed meanwhile. Look at where it stands now and try again.');
    expect(errorMessage(serverError('boom', { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-42' }))).toBe(
      'Something went wrong on our side. Please try again. (Reference req-42.)',
    );
  });

  it('speaks of the refusal, the wait and the busy server in the user’s terms', () => {
    const open = serverError('x', { code: 'CONFLICT', refusal: 'open_request_exists' });
    expect(refusalCode(open)).toBe('open_request_exists');
    expect(errorMessage(open)).toMatch(/already have an open request/);
    const limited = serverError('x', { code: 'TOO_MANY_REQUESTS', retryAfterMs: 2_500 });
    expect(retryAfterMs(limited)).toBe(2_500);
    expect(errorMessage(limited)).toBe('Too many attempts. Try again in 3 s.');
    expect(errorMessage(serverError('x', { code: 'SERVICE_UNAVAILABLE', retryAfterMs: 500 }))).toBe(
      'We are busy right now. Retrying…',
    );
  });

  it('tells unreachable and busy (retry) from real answers (do not)', () => {
    expect(isUnreachable(failedFetch)).toBe(true);
    expect(isUnreachable(new TypeError('Failed to fetch'))).toBe(true);
    expect(isTransient(serverError('x', { code: 'SERVICE_UNAVAILABLE' }))).toBe(true);
    expect(isTransient(serverError('x', { code: 'NOT_FOUND' }))).toBe(false);
    expect(retryQuery(50, failedFetch)).toBe(true);
    expect(retryQuery(0, serverError('x', { code: 'NOT_FOUND' }))).toBe(false);
    expect(retryQuery(1, serverError('x', { code: 'INTERNAL_SERVER_ERROR' }))).toBe(true);
    expect(retryQuery(2, serverError('x', { code: 'INTERNAL_SERVER_ERROR' }))).toBe(false);
  });

  it('backs off to at most 4 s, or waits as long as the server asked', () => {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const delay = retryDelayMs(attempt);
      expect(delay).toBeLessThanOrEqual(4_000);
      expect(delay).toBeGreaterThanOrEqual(Math.min(4_000, 500 * 2 ** attempt) / 2);
    }
    expect(retryDelayMs(0, serverError('x', { code: 'TOO_MANY_REQUESTS', retryAfterMs: 7_000 }))).toBe(7_000);
  });
});

describe('live snapshot helpers', () => {
  it('unwraps tracked events and recognises resync', () => {
    expect(readStreamItem({ id: '41', data: { kind: 'session', v: 1 } })).toEqual({
      resync: false,
      id: '41',
      event: { kind: 'session', v: 1 },
    });
    expect(readStreamItem({ kind: 'session', v: 1 })).toEqual({
      resync: false,
      id: null,
      event: { kind: 'session', v: 1 },
    });
    expect(readStreamItem({ id: 'opaque-2', data: { kind: 'resync' } })).toEqual({ resync: true });
    expect(readStreamItem({ kind: 'resync' })).toEqual({ resync: true });
  });

  it('dedupes by version: a replayed or older event changes nothing', () => {
    const snapshot = { version: 3, status: 'queued' };
    const merge = (s: typeof snapshot) => ({ ...s, status: 'accepted' });
    expect(applyIfNewer(snapshot, 3, merge)).toBe(snapshot);
    expect(applyIfNewer(snapshot, 2, merge)).toBe(snapshot);
    expect(applyIfNewer(snapshot, 4, merge)).toEqual({ version: 3, status: 'accepted' });
  });

  it('keeps "unreachable since" through the retries of an outage, clears it on the next success', () => {
    let since = nextUnreachableSince(null, { failing: true, lastSuccessAt: 100, now: 1_000 });
    expect(since).toBe(1_000);
    since = nextUnreachableSince(since, { failing: true, lastSuccessAt: 100, now: 5_000 });
    expect(since).toBe(1_000);
    // A new retry starts (not failing for a moment), no success yet: still unreachable since 1 000.
    since = nextUnreachableSince(since, { failing: false, lastSuccessAt: 100, now: 6_000 });
    expect(since).toBe(1_000);
    since = nextUnreachableSince(since, { failing: false, lastSuccessAt: 7_000, now: 7_000 });
    expect(since).toBeNull();
  });

  it('reads the WebSocket close code under tRPC’s wrapping', () => {
    const close = { code: 4001, reason: 'signed out' };
    expect(closeCodeOf({ message: 'x', cause: { message: 'WebSocket closed', cause: close } })).toBe(4001);
    expect(closeCodeOf(new Error('x'))).toBeNull();
  });
});

describe('logOut', () => {
  const meKey = [['auth', 'me'], { type: 'query' }];

  it('ends the session, closes the socket, and forgets everything but "signed out"', async () => {
    const queryClient = new QueryClient();
    queryClient.setQueryData(meKey, { id: 'u1' });
    queryClient.setQueryData(['session', 'get'], { secret: true });
    const wsClient = { close: vi.fn(async () => undefined) };
    const callServer = vi.fn(async () => undefined);
    expect(await logOut({ callServer, wsClient, queryClient, meKey })).toEqual({ ok: true });
    expect(callServer).toHaveBeenCalledOnce();
    expect(wsClient.close).toHaveBeenCalledOnce();
    expect(queryClient.getQueryData(meKey)).toBeNull();
    expect(queryClient.getQueryData(['session', 'get'])).toBeUndefined();
  });

  it('pretends nothing when the server cannot be reached: the cookie still stands', async () => {
    const queryClient = new QueryClient();
    queryClient.setQueryData(meKey, { id: 'u1' });
    const wsClient = { close: vi.fn() };
    const result = await logOut({
      callServer: () => Promise.reject(failedFetch),
      wsClient,
      queryClient,
      meKey,
    });
    expect(result.ok).toBe(false);
    expect(wsClient.close).not.toHaveBeenCalled();
    expect(queryClient.getQueryData(meKey)).toEqual({ id: 'u1' });
  });

  it('still signs out locally when the server says the session is already gone', async () => {
    const queryClient = new QueryClient();
    const wsClient = { close: vi.fn() };
    const result = await logOut({
      callServer: () => Promise.reject(serverError('Log in first.', { code: 'UNAUTHORIZED' })),
      wsClient,
      queryClient,
      meKey,
    });
    expect(result).toEqual({ ok: true });
    expect(wsClient.close).toHaveBeenCalledOnce();
  });
});

describe('the live log: a snapshot plus the events after its position', () => {
  type Ev = { id: string; version: number };
  const view = (s: { position: string; items: Ev[] }) => new Map(s.items.map((e) => [e.id, e.version]));
  const apply = (v: Map<string, number>, e: Ev) => {
    if ((v.get(e.id) ?? 0) < e.version) v.set(e.id, e.version);
    return v;
  };
  const log: LoggedEvent<Ev>[] = [
    { position: 5n, event: { id: 'a', version: 2 } },
    { position: 9n, event: { id: 'b', version: 1 } },
    { position: null, event: { id: 'c', version: 1 } },
  ];

  it('applies only events after the snapshot position, and optimistic entries', () => {
    const folded = foldLog({ position: '7', items: [{ id: 'a', version: 1 }] }, log, view, apply);
    // 'a' v2 at position 5 is already in a snapshot taken at 7 (the snapshot holds what it holds).
    expect([...folded.entries()]).toEqual([
      ['a', 1],
      ['b', 1],
      ['c', 1],
    ]);
  });

  it('a snapshot re-read mid-stream never rewinds: later events still apply on top of it', () => {
    const folded = foldLog({ position: '3', items: [{ id: 'a', version: 1 }] }, log, view, apply);
    expect(folded.get('a')).toBe(2);
  });

  it('a new snapshot prunes what it reflects and the optimistic entries', () => {
    expect(pruneLog(log, '7').map((e) => e.position)).toEqual([9n]);
    expect(pruneLog(log, '9')).toEqual([]);
  });

  it('a position at or below the last seen is a replay', () => {
    expect(isReplay(4n, 5n)).toBe(true);
    expect(isReplay(5n, 5n)).toBe(true);
    expect(isReplay(6n, 5n)).toBe(false);
    expect(isReplay(null, 5n)).toBe(false);
    expect(isReplay(1n, null)).toBe(false);
  });
});
