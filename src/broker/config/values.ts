import { LabError } from '../../core/errors.js';

/** One configuration line, split the way Mosquitto's conf.c splits it. */
export interface Line {
  readonly file: string;
  readonly line: number;
  readonly option: string;
  /** Words after the option name: Mosquitto splits on spaces only, never on tabs. */
  readonly args: readonly string[];
  /** Everything after the option name and its separating space, untrimmed (string values). */
  readonly rest: string;
}

/**
 * conf.c's tokenising: a line is a comment only if `#` is its very first character, words are
 * separated by spaces (not tabs), CR/LF at the end are dropped, blank lines are skipped.
 */
export function splitLine(raw: string, file: string, lineNo: number): Line | undefined {
  if (raw === '' || raw[0] === '#' || raw[0] === '\r') return undefined;
  const text = raw.replace(/[\r\n]+$/, '');
  const start = text.search(/[^ ]/);
  if (start < 0) return undefined;
  const end = text.indexOf(' ', start);
  const option = end < 0 ? text.slice(start) : text.slice(start, end);
  const rest = end < 0 ? '' : text.slice(end + 1);
  return { file, line: lineNo, option, rest, args: rest.split(' ').filter((w) => w !== '') };
}

export function invalid(l: Line, message: string, cause?: unknown): LabError {
  return new LabError('ERR_BROKER_CONFIG_INVALID', `${l.file}:${l.line}: ${l.option}: ${message}`, {
    details: { file: l.file, line: l.line, option: l.option },
    cause,
  });
}

export function unsupported(l: Line, message: string): LabError {
  return new LabError('ERR_BROKER_CONFIG_UNSUPPORTED', `${l.file}:${l.line}: ${l.option}: ${message}`, {
    details: { file: l.file, line: l.line, option: l.option },
  });
}

/** C isspace(): what Mosquitto's misc__trimblanks() strips; JS trim() strips more. */
const BLANKS = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;
export const trimBlanks = (s: string): string => s.replace(BLANKS, '');

/**
 * The single word a boolean, number or keyword option takes. Mosquitto reads it and ignores
 * whatever follows; we accept only a trailing `# comment`, so `allow_anonymous true false` is
 * caught rather than silently meaning true.
 */
export function word(l: Line): string {
  const [value, next] = l.args;
  if (value === undefined) throw invalid(l, 'missing value');
  if (next !== undefined && !next.startsWith('#')) {
    throw invalid(l, `unexpected "${next}" after the value (Mosquitto would ignore it)`);
  }
  return value;
}

/** Mosquitto accepts exactly true/false/1/0 (conf__parse_bool): `True` or `yes` are errors. */
export function parseBool(l: Line): boolean {
  const v = word(l);
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalid(l, `"${v}" is not true, false, 1 or 0`);
}

/**
 * Mosquitto uses atoi(), which reads `8883abc` as 8883 and `abc` as 0; a lab tool should say
 * the value is not a number instead. Range checks are the caller's (each option has its own).
 */
export function parseInteger(l: Line): number {
  const v = word(l);
  if (!/^[+-]?\d+$/.test(v)) throw invalid(l, `"${v}" is not an integer`);
  const n = Number(v);
  if (n > 2 ** 31 - 1 || n < -(2 ** 31)) throw invalid(l, `${v} does not fit a 32-bit integer`);
  return n;
}

export function parseIntegerIn(l: Line, min: number, max: number): number {
  const n = parseInteger(l);
  if (n < min || n > max) throw invalid(l, `${n} is out of range (${min}..${max})`);
  return n;
}

export function parseKeyword<T extends string>(l: Line, allowed: readonly T[]): T {
  const v = word(l);
  if (!(allowed as readonly string[]).includes(v)) {
    throw invalid(l, `"${v}" is not one of ${allowed.join(', ')}`);
  }
  return v as T;
}

/**
 * String values are the rest of the line, blanks trimmed (conf__parse_string): a `#` in it is
 * part of the value, so `password_file /etc/pw # users` names the file "/etc/pw # users".
 */
export function parseString(l: Line): string {
  const v = trimBlanks(l.rest);
  if (v === '') throw invalid(l, 'missing value');
  if (v.includes('\uFFFD')) throw invalid(l, 'malformed UTF-8 in the value');
  if (Buffer.byteLength(v) > 65535) throw invalid(l, 'value longer than 65535 bytes');
  return v;
}

/** Set a string option once: Mosquitto refuses a second value ("Duplicate ... value"). */
export function setOnce<T extends object, K extends keyof T>(l: Line, target: T, key: K, value: T[K]): void {
  if (target[key] !== undefined)
    throw invalid(l, `duplicate value (already set to "${String(target[key])}")`);
  target[key] = value;
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  h: 3600,
  d: 86400,
  w: 86400 * 7,
  m: 86400 * 30,
  y: 86400 * 365,
};

/** `persistent_client_expiration 14d`: Mosquitto requires one of h d w m y (m is 30 days). */
export function parseDuration(l: Line): number {
  const v = word(l);
  const match = /^(\d+)([hdwmy])$/.exec(v);
  if (!match) throw invalid(l, `"${v}" is not a duration such as 2h, 14d, 1w, 6m or 1y`);
  const seconds = Number(match[1]) * DURATION_UNITS[match[2]!]!;
  if (seconds <= 0 || seconds > 2 ** 31 - 1) throw invalid(l, `"${v}" is out of range`);
  return seconds;
}

/** mosquitto_pub_topic_check(): a mount point is a topic prefix, so no wildcards. */
export function isPublishTopic(topic: string): boolean {
  return topic.length > 0 && !/[+#]/.test(topic) && Buffer.byteLength(topic) <= 65535;
}
