import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { retryAfterMsOf } from '../src/errors.ts';

function serverError(data: Record<string, unknown>) {
  return new TRPCClientError('x', { result: { error: { code: -32600, message: 'x', data } } });
}

describe('retryAfterMsOf', () => {
  it('reads the retry hint of a busy or rate-limited refusal', () => {
    expect(retryAfterMsOf(serverError({ code: 'SERVICE_UNAVAILABLE', retryAfterMs: 1200 }))).toBe(1200);
    expect(retryAfterMsOf(serverError({ code: 'TOO_MANY_REQUESTS', retryAfterMs: 90_000 }))).toBe(30_000);
  });

  it('never retries anything else', () => {
    expect(retryAfterMsOf(serverError({ code: 'CONFLICT', retryAfterMs: 1000 }))).toBeNull();
    expect(retryAfterMsOf(serverError({ code: 'SERVICE_UNAVAILABLE', retryAfterMs: null }))).toBeNull();
    expect(retryAfterMsOf(new Error('Failed to fetch'))).toBeNull();
  });
});
