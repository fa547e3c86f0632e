import { describe, expect, it } from 'vitest';
import { calendarDay, clockTime, clockTimeWithSeconds, dayAndTime } from '../src/time-format.ts';

describe('one way of writing times', () => {
  // A local time, so the assertions hold in any time zone the tests run in.
  const at = new Date(2026, 11, 1, 15, 4, 7);
  it('24-hour clock, with and without seconds', () => {
    expect(clockTime(at)).toBe('15:04');
    expect(clockTimeWithSeconds(at.getTime())).toBe('15:04:07');
  });
  it('short day and month when the date matters', () => {
    expect(dayAndTime(at.toISOString())).toBe('1 Dec, 15:04');
    expect(calendarDay(at)).toBe('1 Dec 2026');
  });
});
