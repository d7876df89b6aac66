/**
 * The strftime(3) conversions mosquitto_sub's `@X` sequences use, in local time as glibc does.
 * A subset: a conversion outside it is refused when the format is parsed, not printed as is.
 */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const pad = (n: number, width: number, with_ = '0'): string => String(n).padStart(width, with_);

/** ±hhmm, the offset of local time from UTC at `d` (strftime %z). */
export function utcOffset(d: Date): string {
  const minutes = -d.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}${pad(abs % 60, 2)}`;
}

function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  return (
    Math.round((new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() - start.getTime()) / 864e5) + 1
  );
}

function zoneName(d: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(d)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? utcOffset(d);
}

type Conversion = (d: Date, nanos: number) => string;

const hour12 = (d: Date): number => d.getHours() % 12 || 12;

const CONVERSIONS: Readonly<Record<string, Conversion>> = Object.freeze({
  a: (d) => (DAYS[d.getDay()] ?? '').slice(0, 3),
  A: (d) => DAYS[d.getDay()] ?? '',
  b: (d) => (MONTHS[d.getMonth()] ?? '').slice(0, 3),
  h: (d) => (MONTHS[d.getMonth()] ?? '').slice(0, 3),
  B: (d) => MONTHS[d.getMonth()] ?? '',
  C: (d) => pad(Math.floor(d.getFullYear() / 100), 2),
  d: (d) => pad(d.getDate(), 2),
  e: (d) => pad(d.getDate(), 2, ' '),
  D: (d) => `${pad(d.getMonth() + 1, 2)}/${pad(d.getDate(), 2)}/${pad(d.getFullYear() % 100, 2)}`,
  F: (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)}`,
  H: (d) => pad(d.getHours(), 2),
  I: (d) => pad(hour12(d), 2),
  j: (d) => pad(dayOfYear(d), 3),
  k: (d) => pad(d.getHours(), 2, ' '),
  l: (d) => pad(hour12(d), 2, ' '),
  m: (d) => pad(d.getMonth() + 1, 2),
  M: (d) => pad(d.getMinutes(), 2),
  n: () => '\n',
  N: (_d, nanos) => pad(nanos, 9),
  p: (d) => (d.getHours() < 12 ? 'AM' : 'PM'),
  R: (d) => `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}`,
  s: (d) => String(Math.floor(d.getTime() / 1000)),
  S: (d) => pad(d.getSeconds(), 2),
  t: () => '\t',
  T: (d) => `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}`,
  u: (d) => String(d.getDay() || 7),
  w: (d) => String(d.getDay()),
  y: (d) => pad(d.getFullYear() % 100, 2),
  Y: (d) => String(d.getFullYear()),
  z: (d) => utcOffset(d),
  Z: (d) => zoneName(d),
  '%': () => '%',
});

export function isTimeConversion(c: string): boolean {
  return Object.hasOwn(CONVERSIONS, c);
}

/** One conversion; `nanos` is the fraction of the current second (mosquitto's @N extension). */
export function strftime1(c: string, d: Date, nanos: number): string {
  const conv = CONVERSIONS[c];
  if (conv === undefined) throw new RangeError(`strftime: unsupported conversion %${c}`);
  return conv(d, nanos);
}
