// One way of writing times across both apps: a 24-hour clock, and a short day and month when the
// date matters. (The admin board's trail keeps its full date with milliseconds: operators compare
// those with logs.)

const CLOCK = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
const CLOCK_SECONDS = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const DAY_AND_CLOCK = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
const DAY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

type When = string | number | Date;
const asDate = (value: When) => (value instanceof Date ? value : new Date(value));

/** "15:44". */
export function clockTime(value: When): string {
  return CLOCK.format(asDate(value));
}

/** "15:44:07", for "offline since…" and "last checked…". */
export function clockTimeWithSeconds(value: When): string {
  return CLOCK_SECONDS.format(asDate(value));
}

/** "1 Dec, 15:44". */
export function dayAndTime(value: When): string {
  return DAY_AND_CLOCK.format(asDate(value));
}

/** "1 Dec 2026". */
export function calendarDay(value: When): string {
  return DAY.format(asDate(value));
}
