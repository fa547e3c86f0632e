import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actorId } from '../src/actors.ts';
import { comparePositions, encodePosition, parsePosition, START_POSITION } from '../src/position.ts';
import { isVirtual, sessionStatusFor } from '../src/statuses.ts';

const position = fc.record({
  tx: fc.bigInt({ min: 0n, max: 2n ** 63n }),
  id: fc.bigInt({ min: 0n, max: 2n ** 63n }),
});

describe('positions', () => {
  it('round-trip through their text form', () => {
    fc.assert(
      fc.property(position, (p) => {
        expect(parsePosition(encodePosition(p))).toEqual(p);
      }),
    );
  });

  it('order by transaction first, then id', () => {
    expect(comparePositions({ tx: 1n, id: 9n }, { tx: 2n, id: 1n })).toBe(-1);
    expect(comparePositions({ tx: 2n, id: 1n }, { tx: 2n, id: 3n })).toBe(-1);
    expect(comparePositions({ tx: 2n, id: 3n }, { tx: 2n, id: 1n })).toBe(1);
    expect(comparePositions(START_POSITION, { tx: 0n, id: 0n })).toBe(0);
  });

  it('reject anything else', () => {
    expect(parsePosition('1.')).toBeNull();
    expect(parsePosition('x')).toBeNull();
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
