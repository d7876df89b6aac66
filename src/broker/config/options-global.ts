import { timestampFormatProblem } from '../log.js';
import type { Context, GlobalsDraft, Handler } from './state.js';
import { LOG_TYPES, type LogType } from './types.js';
import {
  invalid,
  parseBool,
  parseDuration,
  parseInteger,
  parseIntegerIn,
  parseString,
  setOnce,
  trimBlanks,
  unsupported,
  word,
} from './values.js';

type BoolKey = {
  [K in keyof GlobalsDraft]-?: GlobalsDraft[K] extends boolean ? K : never;
}[keyof GlobalsDraft];

const bool =
  (key: BoolKey): Handler =>
  (c) => {
    c.draft.globals[key] = parseBool(c.line);
  };

/** One word out of a fixed set, or an error listing the set. */
function oneOf<const T extends string>(c: Context, values: readonly T[]): T {
  const value = parseString(c.line);
  if (!(values as readonly string[]).includes(value)) {
    throw invalid(c.line, `"${value}" is not one of ${values.join(', ')}`);
  }
  return value as T;
}

/** Mosquitto clamps these counters at 0 rather than refusing a negative value. */
const atLeastZero =
  (key: 'autosaveInterval' | 'maxInflightBytes' | 'maxQueuedBytes' | 'maxQueuedMessages'): Handler =>
  (c) => {
    c.draft.globals[key] = Math.max(0, parseInteger(c.line));
  };

function logDest(c: Context): void {
  const l = c.line;
  const log = c.draft.log;
  const dest = l.args[0];
  if (dest === undefined) throw invalid(l, 'missing value');
  log.destSet = true;
  switch (dest) {
    case 'none':
      log.flags.clear();
      return;
    case 'stdout':
    case 'stderr':
    case 'topic':
      word(l);
      log.flags.add(dest);
      return;
    case 'file': {
      if (log.file !== undefined) throw invalid(l, 'duplicate "log_dest file"');
      // conf.c takes the rest of the line after "file", skipping leading blanks only.
      const path = (/^ *file (.*)$/s.exec(l.rest)?.[1] ?? '').replace(/^[ \t]+/, '');
      if (path === '') throw invalid(l, 'missing file path after "log_dest file"');
      if (/[ \t]$/.test(path))
        c.warn(`log file path "${path}" ends with blanks, which are kept (as Mosquitto does)`);
      log.flags.add('file');
      log.file = c.resolvePath(path);
      return;
    }
    case 'syslog':
    case 'dlt':
      throw unsupported(l, `log_dest ${dest} is not implemented (use stdout, stderr, file or topic)`);
    default:
      throw invalid(l, `"${dest}" is not one of none, stdout, stderr, file, topic`);
  }
}

function logType(c: Context): void {
  const l = c.line;
  const type = word(l);
  const types = c.draft.log.types;
  c.draft.log.typeSet = true;
  if (type === 'none') types.clear();
  else if (type === 'all') for (const t of LOG_TYPES) types.add(t);
  else if (type === 'internal')
    c.warn('log_type internal is a Mosquitto developer type and logs nothing here');
  else if ((LOG_TYPES as readonly string[]).includes(type)) types.add(type as LogType);
  else throw invalid(l, `"${type}" is not one of ${['none', 'all', ...LOG_TYPES].join(', ')}`);
}

/**
 * `metrics_listener PORT [ADDRESS]` (mqtts-lab): the Prometheus endpoint. Loopback unless an
 * address is given, because it has no authentication and tells who is connected and how much.
 */
function metricsListener(c: Context): void {
  const l = c.line;
  const [portText, second, third] = l.args;
  if (portText === undefined) throw invalid(l, 'missing port');
  if (!/^\d+$/.test(portText)) throw invalid(l, `"${portText}" is not a port number`);
  const port = Number(portText);
  if (port < 1 || port > 65535) throw invalid(l, `port ${port} is out of range (1..65535)`);
  const host = second !== undefined && !second.startsWith('#') ? second : undefined;
  if (host !== undefined && third !== undefined && !third.startsWith('#')) {
    throw invalid(l, `unexpected "${third}" after the address`);
  }
  if (c.draft.globals.metrics !== undefined) throw invalid(l, 'duplicate value (one metrics endpoint)');
  if (host !== undefined && !isLoopback(host)) {
    c.warn(`metrics_listener on ${host}: the endpoint has no authentication; keep it on a trusted network`);
  }
  c.draft.globals.metrics = { port, host: host ?? '127.0.0.1' };
}

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** Broker-wide options (mosquitto.conf(5) "This option applies globally"). */
export const GLOBAL_OPTIONS: Readonly<Record<string, Handler>> = {
  allow_duplicate_messages: (c) => {
    c.warn("'allow_duplicate_messages' is deprecated in Mosquitto 2.0");
    bool('allowDuplicateMessages')(c);
  },
  autosave_interval: atLeastZero('autosaveInterval'),
  // Global, but conf.c records it as a security option: per_listener_settings may not follow it.
  check_retain_source: (c) => {
    c.draft.securityTouched = true;
    bool('checkRetainSource')(c);
  },
  connection_messages: bool('connectionMessages'),
  include_dir: (c) => {
    if (c.level > 0) {
      c.warn('include_dir in an included file is ignored (Mosquitto reads it only in the main file)');
      return;
    }
    const dir = trimBlanks(c.line.rest);
    if (dir === '') throw invalid(c.line, 'missing directory');
    c.includeDir(c.resolvePath(dir));
  },
  log_dest: logDest,
  log_timestamp: (c) => {
    c.draft.log.timestamp = parseBool(c.line);
  },
  log_timestamp_format: (c) => {
    const format = parseString(c.line);
    const problem = timestampFormatProblem(format);
    if (problem !== undefined) throw unsupported(c.line, problem);
    setOnce(c.line, c.draft.log, 'timestampFormat', format);
  },
  log_type: logType,
  max_inflight_bytes: atLeastZero('maxInflightBytes'),
  max_inflight_messages: (c) => {
    const n = parseInteger(c.line);
    if (n > 65535) throw invalid(c.line, `${n} is above 65535`);
    // conf.c maps negative values and 65535 itself to 0, "no limit".
    c.draft.globals.maxInflightMessages = n < 0 || n === 65535 ? 0 : n;
  },
  max_keepalive: (c) => {
    c.draft.globals.maxKeepalive = parseIntegerIn(c.line, 10, 65535);
  },
  max_packet_size: (c) => {
    c.draft.globals.maxPacketSize = parseIntegerIn(c.line, 20, 268_435_460);
  },
  max_queued_bytes: atLeastZero('maxQueuedBytes'),
  max_queued_messages: atLeastZero('maxQueuedMessages'),
  // mqtts-lab: the disk the spools of absent sessions may take (see docs/broker.md).
  max_spooled_bytes: (c) => {
    c.draft.globals.maxSpooledBytes = parseIntegerIn(c.line, 0, 2 ** 31 - 1);
  },
  message_size_limit: (c) => {
    c.warn("Mosquitto recommends replacing 'message_size_limit' with 'max_packet_size'");
    c.draft.globals.messageSizeLimit = parseIntegerIn(c.line, 0, 268_435_455);
  },
  per_listener_settings: (c) => {
    const value = parseBool(c.line);
    if (value && c.draft.securityTouched) {
      throw invalid(c.line, 'must be set before any other security setting (as Mosquitto requires)');
    }
    c.draft.perListenerSettings = value;
  },
  persistence: bool('persistence'),
  // mqtts-lab options (Mosquitto does not know them): see docs/broker-config.md.
  persistence_fsync: (c) => {
    c.draft.globals.persistenceFsync = oneOf(c, ['always', 'interval', 'never'] as const);
  },
  queue_full_policy: (c) => {
    c.draft.globals.queueFullPolicy = oneOf(c, ['block', 'drop'] as const);
  },
  disconnect_on_certificate_expiry: bool('disconnectOnCertificateExpiry'),
  metrics_listener: metricsListener,
  retained_persistence: bool('persistence'),
  persistence_file: (c) => setOnce(c.line, c.draft.globals, 'persistenceFile', parseString(c.line)),
  persistence_location: (c) =>
    setOnce(c.line, c.draft.globals, 'persistenceLocation', c.resolvePath(parseString(c.line))),
  persistent_client_expiration: (c) => {
    c.draft.globals.persistentClientExpiration = parseDuration(c.line);
  },
  pid_file: (c) => setOnce(c.line, c.draft.globals, 'pidFile', c.resolvePath(parseString(c.line))),
  queue_qos0_messages: bool('queueQos0Messages'),
  retain_available: bool('retainAvailable'),
  retry_interval: (c) => c.warn("'retry_interval' is no longer available in Mosquitto 2.0 and is ignored"),
  set_tcp_nodelay: bool('setTcpNodelay'),
  sys_interval: (c) => {
    c.draft.globals.sysInterval = parseIntegerIn(c.line, 0, 65535);
  },
  upgrade_outgoing_qos: bool('upgradeOutgoingQos'),
  user: (c) => {
    c.draft.globals.user = parseString(c.line);
    c.warn("'user' is accepted but ignored: mqtts-lab never changes user (run it unprivileged)");
  },
};
