import { describe, expect, it } from 'vitest';
import { describeWait } from './time.ts';

describe('describeWait', () => {
  it('says a wait in words', () => {
    expect(describeWait(20)).toBe('under a minute');
    expect(describeWait(140)).toBe('about 2 min');
    expect(describeWait(3 * 3600)).toBe('about 3 h');
  });
});
