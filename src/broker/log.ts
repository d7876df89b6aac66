import { closeSync, createWriteStream, openSync } from 'node:fs';
import { type Clock, systemClock } from '../core/clock.js';
import type { LogConfig, LogType } from './config/types.js';

/** Receives whole lines, newline included. */
export interface LineWriter {
  write(text: string): void;
}

export interface LogFile extends LineWriter {
  close(): Promise<void>;
}

export interface BrokerLoggerDeps {
  readonly clock?: Clock;
  readonly stdout?: LineWriter;
  readonly stderr?: LineWriter;
  /** `log_dest topic`: the broker publishes `line` to `topic` (Mosquitto: QoS 2, not retained). */
  readonly onTopic?: (topic: string, line: string) => void;
  /** Opens `log_dest file` for appending; throws if it cannot. */
  readonly openFile?: (path: string) => LogFile;
}

export interface BrokerLogger {
  /** A bit test: call it before building a message on a hot path. */
  enabled(type: LogType): boolean;
  log(type: LogType, message: string): void;
  close(): Promise<void>;
}

/** logging.c's topics. Debug has a letter but is never published, to avoid a feedback loop. */
export const LOG_TOPICS: Readonly<Record<LogType, string>> = {
  debug: '$SYS/broker/log/D',
  error: '$SYS/broker/log/E',
  warning: '$SYS/broker/log/W',
  notice: '$SYS/broker/log/N',
  information: '$SYS/broker/log/I',
  subscribe: '$SYS/broker/log/M/subscribe',
  unsubscribe: '$SYS/broker/log/M/unsubscribe',
  websockets: '$SYS/broker/log/WS',
};

const BIT: Readonly<Record<LogType, number>> = {
  error: 1,
  warning: 2,
  notice: 4,
  information: 8,
  debug: 16,
  subscribe: 32,
  unsubscribe: 64,
  websockets: 128,
};

/** Mosquitto formats into `char log_line[1000]`: longer lines are cut at 999 bytes. */
const MAX_LINE_BYTES = 999;

/**
 * A logger with Mosquitto 2.0's line format (`1700000000: message`), `log_type` filter and
 * `log_dest` fan-out, so our broker's log reads, greps and diffs like Mosquitto's.
 */
export function createBrokerLogger(config: LogConfig, deps: BrokerLoggerDeps = {}): BrokerLogger {
  const clock = deps.clock ?? systemClock;
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const writers: LineWriter[] = [];
  let file: LogFile | undefined;
  let toTopic = false;
  let mask = config.types.reduce((m, t) => m | BIT[t], 0);
  const fileDest = config.dests.find((d) => d.kind === 'file');
  let openError: string | undefined;
  if (fileDest) {
    try {
      file = (deps.openFile ?? openAppend)(fileDest.path);
    } catch {
      openError = fileDest.path;
    }
  }
  if (openError !== undefined) {
    // log__init(): an unopenable log file leaves stderr and errors only, then says so.
    writers.push(stderr);
    mask = BIT.error;
  } else {
    for (const dest of config.dests) {
      if (dest.kind === 'stdout') writers.push(stdout);
      else if (dest.kind === 'stderr') writers.push(stderr);
      else if (dest.kind === 'file' && file) writers.push(file);
      else if (dest.kind === 'topic') toTopic = deps.onTopic !== undefined;
    }
    if (writers.length === 0 && !toTopic) mask = 0;
  }

  const logger: BrokerLogger = {
    enabled: (type) => (mask & BIT[type]) !== 0,
    log(type, message) {
      if ((mask & BIT[type]) === 0) return;
      const line = truncate(config.timestamp ? `${stamp(config, clock.now())}: ${message}` : message);
      for (const w of writers) w.write(`${line}\n`);
      if (toTopic && type !== 'debug') deps.onTopic!(LOG_TOPICS[type], line);
    },
    async close() {
      const f = file;
      file = undefined;
      const i = f ? writers.indexOf(f) : -1;
      if (i >= 0) writers.splice(i, 1);
      await f?.close();
    },
  };
  if (openError !== undefined)
    logger.log('error', `Error: Unable to open log file ${openError} for writing.`);
  return logger;
}

function stamp(config: LogConfig, now: Date): string {
  if (config.timestampFormat === undefined) return String(Math.floor(now.getTime() / 1000));
  return strftime(config.timestampFormat, now) || 'Time error';
}

function truncate(line: string): string {
  if (line.length * 3 <= MAX_LINE_BYTES || Buffer.byteLength(line) <= MAX_LINE_BYTES) return line;
  return Buffer.from(line)
    .subarray(0, MAX_LINE_BYTES)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}

/** Mosquitto opens the file once, appending, readable by its owner only (mosquitto__fopen). */
function openAppend(path: string): LogFile {
  const fd = openSync(path, 'a', 0o600);
  try {
    const stream = createWriteStream(path, { fd, autoClose: true });
    return {
      write: (text) => void stream.write(text),
      close: () => new Promise<void>((resolve) => stream.end(() => resolve())),
    };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

const DIRECTIVES: Readonly<Record<string, (d: Date) => string>> = {
  Y: (d) => String(d.getFullYear()),
  m: (d) => pad(d.getMonth() + 1),
  d: (d) => pad(d.getDate()),
  H: (d) => pad(d.getHours()),
  M: (d) => pad(d.getMinutes()),
  S: (d) => pad(d.getSeconds()),
  s: (d) => String(Math.floor(d.getTime() / 1000)),
  z: (d) => {
    const off = -d.getTimezoneOffset();
    return `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
  },
  T: (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`,
  F: (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
  '%': () => '%',
};

/** strftime(3) in local time, limited to the directives above (checked when the config is read). */
export function strftime(format: string, date: Date): string {
  return format.replace(/%(.)/gs, (_, c: string) => DIRECTIVES[c]?.(date) ?? `%${c}`);
}

/** Why a `log_timestamp_format` cannot be rendered, or undefined if it can. */
export function timestampFormatProblem(format: string): string | undefined {
  const bad = /%([^YmdHMSszTF%]|$)/.exec(format);
  if (bad === null) return undefined;
  const known = Object.keys(DIRECTIVES)
    .map((c) => `%${c}`)
    .join(' ');
  return `strftime directive "${bad[0]}" is not supported (supported: ${known})`;
}
