import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actorId } from '../src/actors.ts';
import {
  comparePositions,
  encodePosition,
  MAX_POSITION,
  parseLegacyPosition,
  parsePosition,
  START_POSITION,
} from '../src/position.ts';
import { isVirtual, sessionStatusFor } from '../src/statuses.ts';

describe('positions', () => {
  it('round-trip through their text form', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_POSITION }), (p) => {
        expect(parsePosition(encodePosition(p))).toBe(p);
      }),
    );
  });

  it('order numerically', () => {
    expect(comparePositions(9n, 10n)).toBe(-1);
    expect(comparePositions(10n, 9n)).toBe(1);
    expect(comparePositions(START_POSITION, 0n)).toBe(0);
  });

  it.each([
    ['1.'],
    ['x'],
    [''],
    ['-1'],
    ['1e3'],
    [' 1'],
    ['9223372036854775808'],
    ['99999999999999999999'],
    ['1\u0000'],
  ])('refuse %j', (text) => {
    expect(parsePosition(text)).toBeNull();
  });

  it('recognise positions from before commit order, within their types', () => {
    expect(parseLegacyPosition('1001433.1')).toEqual({ tx: 1001433n, id: 1n });
    expect(parseLegacyPosition('18446744073709551615.9223372036854775807')).not.toBeNull();
    expect(parseLegacyPosition('18446744073709551616.1')).toBeNull();
    expect(parseLegacyPosition('1.9223372036854775808')).toBeNull();
    expect(parseLegacyPosition('99999999999999999999.99999999999999999999')).toBeNull();
    expect(parseLegacyPosition('12')).toBeNull();
  });
});

describe('small helpers', () => {
  it('map statuses and actors', () => {
    expect(sessionStatusFor('offered')).toBe('waiting');
    expect(isVirtual('in_person')).toBe(false);
    expect(actorId({ kind: 'timer' })).toBeNull();
    expect(actorId({ kind: 'admin', userId: 'u' })).toBe('u');
  });
});
