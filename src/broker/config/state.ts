import type { ConfigLocation, LogType, TlsVersion } from './types.js';
import type { Line } from './values.js';

/** Mutable drafts filled line by line, then resolved and frozen by finalize.ts. */

export interface SecurityDraft {
  /** undefined is Mosquitto's -1: "not set", resolved after the whole file is read. */
  allowAnonymous?: boolean;
  passwordFile?: string;
  aclFile?: string;
  allowZeroLengthClientid: boolean;
  autoIdPrefix?: string;
}

export interface ListenerDraft {
  /** 0 on the default listener until `port` sets it. */
  port: number;
  bindAddress?: string;
  socketDomain?: 'ipv4' | 'ipv6';
  protocol: 'mqtt' | 'websockets';
  cafile?: string;
  capath?: string;
  certfile?: string;
  keyfile?: string;
  ciphers?: string;
  ciphersTls13?: string;
  crlfile?: string;
  tlsVersion?: TlsVersion;
  requireCertificate: boolean;
  useIdentityAsUsername: boolean;
  useSubjectAsUsername: boolean;
  maxConnections: number;
  mountPoint?: string;
  maxTopicAlias: number;
  security: SecurityDraft;
  where?: ConfigLocation;
}

export type LogFlag = 'stdout' | 'stderr' | 'topic' | 'file';

export interface LogDraft {
  /** Mosquitto starts an empty set and uses it only if a `log_dest` line appeared. */
  flags: Set<LogFlag>;
  destSet: boolean;
  file?: string;
  types: Set<LogType>;
  typeSet: boolean;
  timestamp: boolean;
  timestampFormat?: string;
}

export interface GlobalsDraft {
  maxPacketSize: number;
  messageSizeLimit: number;
  maxKeepalive: number;
  maxInflightMessages: number;
  maxInflightBytes: number;
  maxQueuedMessages: number;
  maxQueuedBytes: number;
  queueFullPolicy: 'block' | 'drop';
  queueQos0Messages: boolean;
  retainAvailable: boolean;
  allowDuplicateMessages: boolean;
  checkRetainSource: boolean;
  upgradeOutgoingQos: boolean;
  setTcpNodelay: boolean;
  sysInterval: number;
  connectionMessages: boolean;
  persistentClientExpiration: number;
  persistence: boolean;
  persistenceLocation?: string;
  persistenceFile?: string;
  autosaveInterval: number;
  persistenceFsync: 'always' | 'interval' | 'never';
  /** Unset: the default (finalize.ts); set without persistence, a warning. */
  maxSpooledBytes?: number;
  disconnectOnCertificateExpiry: boolean;
  metrics?: { port: number; host: string };
  pidFile?: string;
  user?: string;
}

export interface Draft {
  readonly listeners: ListenerDraft[];
  /** Options before the first `listener` of a file land here (conf.c's default_listener). */
  readonly defaultListener: ListenerDraft;
  /** Cleared by `listener`, `port` or `bind_address`; decides the allow_anonymous default. */
  localOnly: boolean;
  perListenerSettings: boolean;
  /** A security option was seen: `per_listener_settings true` may no longer appear. */
  securityTouched: boolean;
  readonly security: SecurityDraft;
  readonly globals: GlobalsDraft;
  readonly log: LogDraft;
  readonly warnings: string[];
}

export function newSecurityDraft(): SecurityDraft {
  return { allowZeroLengthClientid: true };
}

/** listener__set_defaults() in Mosquitto 2.0. */
export function newListenerDraft(port: number, where?: ConfigLocation): ListenerDraft {
  return {
    port,
    protocol: 'mqtt',
    requireCertificate: false,
    useIdentityAsUsername: false,
    useSubjectAsUsername: false,
    maxConnections: -1,
    maxTopicAlias: 10,
    security: newSecurityDraft(),
    ...(where ? { where } : {}),
  };
}

/** Defaults from config__init_reload() in Mosquitto 2.0.11 and mosquitto.conf(5). */
export function newDraft(): Draft {
  return {
    listeners: [],
    defaultListener: newListenerDraft(0),
    localOnly: true,
    perListenerSettings: false,
    securityTouched: false,
    security: newSecurityDraft(),
    globals: {
      maxPacketSize: 0,
      messageSizeLimit: 0,
      maxKeepalive: 65535,
      maxInflightMessages: 20,
      maxInflightBytes: 0,
      maxQueuedMessages: 1000,
      maxQueuedBytes: 0,
      queueFullPolicy: 'block',
      queueQos0Messages: false,
      retainAvailable: true,
      allowDuplicateMessages: false,
      checkRetainSource: true,
      upgradeOutgoingQos: false,
      setTcpNodelay: false,
      sysInterval: 10,
      connectionMessages: true,
      persistentClientExpiration: 0,
      persistence: false,
      autosaveInterval: 1800,
      persistenceFsync: 'always',
      disconnectOnCertificateExpiry: false,
    },
    log: {
      flags: new Set(),
      destSet: false,
      types: new Set(),
      typeSet: false,
      timestamp: true,
    },
    warnings: [],
  };
}

/** What an option handler sees: the line, the draft, and the listener options attach to. */
export interface Context {
  readonly line: Line;
  readonly draft: Draft;
  /**
   * The last `listener` of the current file, else the default listener. Mosquitto resets this
   * at the top of every file, so listener options at the start of an `include_dir` file apply
   * to the default listener, not to the last listener of the main file.
   */
  listener: ListenerDraft;
  /** 0 in the main file; `include_dir` is honoured only there. */
  readonly level: number;
  /** Mosquitto opens paths relative to its cwd; we resolve them against ConfigSource.baseDir. */
  resolvePath(path: string): string;
  warn(message: string): void;
  includeDir(dir: string): void;
}

export type Handler = (c: Context) => void;

/**
 * With per_listener_settings false the security options are global wherever they appear;
 * with true they belong to the current listener (mosquitto.conf(5), conf__set_cur_security_options).
 */
export function securityTarget(c: Context): SecurityDraft {
  c.draft.securityTouched = true;
  return c.draft.perListenerSettings ? c.listener.security : c.draft.security;
}
