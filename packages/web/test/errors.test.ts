import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from '../src/client.ts';
import { errorCode, errorMessage, fieldErrors } from '../src/errors.ts';

function serverError(message: string, data: Record<string, unknown>) {
  return new TRPCClientError(message, { result: { error: { code: -32600, message, data } } });
}

describe('fieldErrors', () => {
  it('keys messages by the last part of the input path and keeps the first message per field', () => {
    const error = serverError('Bad input', {
      code: 'BAD_REQUEST',
      zodError: {
        formErrors: [],
        fieldErrors: {
          'intake.vehicleYear': ['Vehicle year must be 1950 or later', 'second'],
          email: ['Enter a valid email address'],
        },
      },
    });
    expect(fieldErrors(error)).toEqual({
      vehicleYear: 'Vehicle year must be 1950 or later',
      email: 'Enter a valid email address',
    });
  });

  it('is empty for anything that is not a validation error', () => {
    expect(fieldErrors(new Error('x'))).toEqual({});
    expect(fieldErrors(serverError('Conflict', { code: 'CONFLICT' }))).toEqual({});
  });
});

describe('errorMessage', () => {
  it('uses the server’s words for known errors and a calm sentence otherwise', () => {
    expect(errorMessage(serverError('Another mechanic took this request.', { code: 'CONFLICT' }))).toBe(
      'Another mechanic took this request.',
    );
    expect(errorMessage(serverError('boom', { code: 'INTERNAL_SERVER_ERROR' }))).toBe(
      'Something went wrong on our side. Please try again.',
    );
    expect(errorMessage(serverError('x', { code: 'BAD_REQUEST', zodError: { fieldErrors: {} } }))).toBe(
      'Please check the highlighted fields.',
    );
    expect(errorMessage(new TypeError('Failed to fetch'))).toBe(
      'Cannot reach the server. Check your connection and try again.',
    );
    expect(errorMessage('nonsense')).toBe('Something went wrong. Please try again.');
    expect(errorCode(serverError('x', { code: 'TOO_MANY_REQUESTS' }))).toBe('TOO_MANY_REQUESTS');
    expect(errorCode(new Error('x'))).toBeNull();
  });
});

describe('reconnectDelayMs', () => {
  it('backs off exponentially with jitter, between half and all of 0.5 s × 2^n, capped at 10 s', () => {
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const base = Math.min(10_000, 500 * 2 ** attempt);
      for (let i = 0; i < 50; i += 1) {
        const delay = reconnectDelayMs(attempt);
        expect(delay).toBeGreaterThanOrEqual(base / 2);
        expect(delay).toBeLessThanOrEqual(base);
      }
    }
  });
});
