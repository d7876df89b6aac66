import { isAbsolute, join, resolve } from 'node:path';
import { checkDuplicates, checkListener } from './checks.js';
import {
  newListenerDraft,
  newSecurityDraft,
  type Draft,
  type ListenerDraft,
  type SecurityDraft,
} from './state.js';
import {
  type BrokerConfig,
  type ConfigSource,
  type ListenerConfig,
  LOG_TYPES,
  type LogConfig,
  type LogDest,
  type SecurityConfig,
  type TlsConfig,
} from './types.js';

interface Cli {
  readonly ports: readonly number[];
  readonly verbose: boolean;
}

const DEFAULT_LOG_TYPES = ['error', 'warning', 'notice', 'information'] as const;
/** max_spooled_bytes: 64 MiB, room for some 500,000 telemetry messages, small on any disk. */
export const DEFAULT_SPOOL_LIMIT = 64 * 1024 * 1024;

/** Turn the draft into Mosquitto's effective configuration, check it, freeze it. */
export function finalize(draft: Draft, source: ConfigSource, cli: Cli): BrokerConfig {
  const warn = (message: string) => draft.warnings.push(`${source.file}: ${message}`);
  const drafts = [...draft.listeners];
  const d = draft.defaultListener;
  if (createsDefaultListener(d)) {
    // config__parse_args(): copied field by field, except auto_id_prefix, which is lost.
    if (d.security.autoIdPrefix !== undefined) warn('auto_id_prefix before the first listener is ignored');
    drafts.push({ ...d, port: d.port || 1883, security: { ...d.security, autoIdPrefix: undefined } });
  } else {
    const lost = Object.entries({
      tls_version: d.tlsVersion !== undefined,
      max_topic_alias: d.maxTopicAlias !== 10,
      allow_anonymous: d.security.allowAnonymous !== undefined,
      acl_file: d.security.aclFile !== undefined,
      auto_id_prefix: d.security.autoIdPrefix !== undefined,
    }).filter(([, set]) => set);
    if (lost.length > 0) {
      warn(
        `${lost.map(([n]) => n).join(', ')} before the first listener belong to a default listener ` +
          'that these options alone do not create: Mosquitto ignores them',
      );
    }
  }
  for (const l of drafts) checkListener(l, source, warn);
  checkDuplicates(drafts, source);

  // Without a listener, port or bind_address line, Mosquitto 2.0 forces allow_anonymous true
  // globally, even over an explicit `allow_anonymous false` (config__read()).
  const global = resolveSecurity(draft.security, false);
  const security: SecurityConfig = draft.localOnly ? { ...global, allowAnonymous: true } : global;
  const securityOf = (s: SecurityDraft): SecurityConfig =>
    draft.perListenerSettings ? resolveSecurity(s, draft.localOnly) : security;

  const listeners: ListenerConfig[] = drafts.map((l) => buildListener(l, securityOf(l.security), draft));
  if (listeners.length === 0) {
    const ports = cli.ports.length > 0 ? cli.ports : [1883];
    for (const port of ports) {
      for (const bindAddress of ['127.0.0.1', '::1']) {
        listeners.push({
          ...buildListener(newListenerDraft(port), securityOf(newSecurityDraft()), draft),
          bindAddress,
          origin: 'local-only',
        });
      }
    }
  } else if (cli.ports.length > 0) {
    warn(
      'command-line ports are ignored because the configuration defines listeners (as Mosquitto 2.0 does)',
    );
  }
  if (draft.localOnly && listeners.some((l) => l.origin === 'default')) {
    warn(
      "no 'listener' line: Mosquitto's local-only default allow_anonymous true applies, " +
        'yet the default listener listens on all interfaces',
    );
  }

  const g = draft.globals;
  if (g.maxSpooledBytes !== undefined && !g.persistence) {
    warn('max_spooled_bytes has no effect without persistence true');
  }
  const persistenceFile = g.persistenceFile ?? 'mosquitto.db';
  return deepFreeze({
    listeners,
    localOnly: draft.localOnly,
    perListenerSettings: draft.perListenerSettings,
    security,
    maxPacketSize: g.maxPacketSize,
    messageSizeLimit: g.messageSizeLimit,
    maxKeepalive: g.maxKeepalive,
    maxInflightMessages: g.maxInflightMessages,
    maxInflightBytes: g.maxInflightBytes,
    maxQueuedMessages: g.maxQueuedMessages,
    maxQueuedBytes: g.maxQueuedBytes,
    queueFullPolicy: g.queueFullPolicy,
    queueQos0Messages: g.queueQos0Messages,
    retainAvailable: g.retainAvailable,
    allowDuplicateMessages: g.allowDuplicateMessages,
    checkRetainSource: g.checkRetainSource,
    upgradeOutgoingQos: g.upgradeOutgoingQos,
    setTcpNodelay: g.setTcpNodelay,
    sysInterval: g.sysInterval,
    connectionMessages: g.connectionMessages,
    persistentClientExpiration: g.persistentClientExpiration,
    persistence: {
      enabled: g.persistence,
      ...(g.persistenceLocation !== undefined ? { location: g.persistenceLocation } : {}),
      file: persistenceFile,
      path:
        g.persistenceLocation !== undefined
          ? join(g.persistenceLocation, persistenceFile)
          : isAbsolute(persistenceFile)
            ? persistenceFile
            : resolve(source.baseDir, persistenceFile),
      autosaveInterval: g.autosaveInterval,
      fsync: g.persistenceFsync,
      spoolLimit: g.maxSpooledBytes ?? DEFAULT_SPOOL_LIMIT,
    },
    disconnectOnCertificateExpiry: g.disconnectOnCertificateExpiry,
    ...(g.metrics !== undefined ? { metrics: { ...g.metrics } } : {}),
    log: buildLog(draft, cli.verbose),
    ...(g.pidFile !== undefined ? { pidFile: g.pidFile } : {}),
    user: g.user ?? 'mosquitto',
    warnings: [...draft.warnings],
  });
}

/** The exact condition of config__parse_args() in Mosquitto 2.0.11 (tls_version is not in it). */
function createsDefaultListener(d: ListenerDraft): boolean {
  return (
    [d.cafile, d.capath, d.certfile, d.keyfile, d.ciphers, d.ciphersTls13, d.crlfile].some(
      (v) => v !== undefined,
    ) ||
    d.requireCertificate ||
    d.useIdentityAsUsername ||
    d.useSubjectAsUsername ||
    d.bindAddress !== undefined ||
    d.port !== 0 ||
    d.maxConnections !== -1 ||
    d.mountPoint !== undefined ||
    d.protocol !== 'mqtt' ||
    d.socketDomain !== undefined ||
    d.security.passwordFile !== undefined ||
    d.security.allowZeroLengthClientid !== true
  );
}

function resolveSecurity(s: SecurityDraft, anonymousDefault: boolean): SecurityConfig {
  return {
    allowAnonymous: s.allowAnonymous ?? anonymousDefault,
    ...(s.passwordFile !== undefined ? { passwordFile: s.passwordFile } : {}),
    ...(s.aclFile !== undefined ? { aclFile: s.aclFile } : {}),
    allowZeroLengthClientid: s.allowZeroLengthClientid,
    autoIdPrefix: s.autoIdPrefix ?? 'auto-',
  };
}

function buildListener(l: ListenerDraft, security: SecurityConfig, draft: Draft): ListenerConfig {
  const origin = draft.listeners.includes(l) ? 'listener' : 'default';
  const tls: TlsConfig | undefined =
    l.certfile !== undefined && l.keyfile !== undefined
      ? {
          ...pick(l, ['cafile', 'capath', 'tlsVersion', 'ciphers', 'ciphersTls13', 'crlfile']),
          certfile: l.certfile,
          keyfile: l.keyfile,
          requireCertificate: l.requireCertificate,
          useIdentityAsUsername: l.useIdentityAsUsername,
          useSubjectAsUsername: l.useSubjectAsUsername,
        }
      : undefined;
  return {
    port: l.port,
    ...pick(l, ['bindAddress', 'socketDomain', 'mountPoint', 'where']),
    protocol: l.protocol,
    ...(tls ? { tls } : {}),
    security,
    maxConnections: l.maxConnections,
    maxTopicAlias: l.maxTopicAlias,
    origin,
  };
}

function buildLog(draft: Draft, verbose: boolean): LogConfig {
  const log = draft.log;
  const flags = log.destSet ? log.flags : new Set(['stderr']);
  // Mosquitto writes stdout, stderr, file, then topic, in that order (logging.c).
  const dests: LogDest[] = [];
  if (flags.has('stdout')) dests.push({ kind: 'stdout' });
  if (flags.has('stderr')) dests.push({ kind: 'stderr' });
  if (flags.has('file') && log.file !== undefined) dests.push({ kind: 'file', path: log.file });
  if (flags.has('topic')) dests.push({ kind: 'topic' });
  const types = verbose
    ? LOG_TYPES
    : log.typeSet
      ? LOG_TYPES.filter((t) => log.types.has(t))
      : DEFAULT_LOG_TYPES;
  return {
    dests,
    types: [...types],
    timestamp: log.timestamp,
    ...(log.timestampFormat !== undefined ? { timestampFormat: log.timestampFormat } : {}),
  };
}

function pick<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
