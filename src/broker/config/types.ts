/**
 * The broker configuration read from Mosquitto 2.0 `mosquitto.conf` syntax. Every value is
 * resolved: defaults are Mosquitto 2.0.11's, relative paths are absolute, and the implicit
 * listeners Mosquitto creates (default listener, local-only mode) are spelled out.
 */

/** Mosquitto's log types (mosquitto.conf(5) `log_type`); `all` and `none` expand to these. */
export type LogType =
  'debug' | 'error' | 'warning' | 'notice' | 'information' | 'subscribe' | 'unsubscribe' | 'websockets';

export const LOG_TYPES: readonly LogType[] = Object.freeze([
  'debug',
  'error',
  'warning',
  'notice',
  'information',
  'subscribe',
  'unsubscribe',
  'websockets',
]);

export type LogDest =
  | { readonly kind: 'stdout' }
  | { readonly kind: 'stderr' }
  | { readonly kind: 'topic' }
  | { readonly kind: 'file'; readonly path: string };

export interface LogConfig {
  /** Empty after `log_dest none`: nothing is logged anywhere. */
  readonly dests: readonly LogDest[];
  readonly types: readonly LogType[];
  /** Prefix lines with the time (`log_timestamp`). */
  readonly timestamp: boolean;
  /** strftime format for that time (`log_timestamp_format`); unset means Unix seconds. */
  readonly timestampFormat?: string;
}

/** The options `per_listener_settings` moves from global to per listener. */
export interface SecurityConfig {
  readonly allowAnonymous: boolean;
  readonly passwordFile?: string;
  readonly aclFile?: string;
  readonly allowZeroLengthClientid: boolean;
  readonly autoIdPrefix: string;
}

export type TlsVersion = 'tlsv1.3' | 'tlsv1.2' | 'tlsv1.1';

/** Present on a listener only when it has both `certfile` and `keyfile` (Mosquitto 2.0's rule). */
export interface TlsConfig {
  readonly cafile?: string;
  readonly capath?: string;
  readonly certfile: string;
  readonly keyfile: string;
  /** true: verify the client certificate, fail without one; false: do not even ask for one. */
  readonly requireCertificate: boolean;
  readonly useIdentityAsUsername: boolean;
  readonly useSubjectAsUsername: boolean;
  /** Minimum version (Mosquitto >= 2.0.9); unset allows TLS 1.2 and 1.3. */
  readonly tlsVersion?: TlsVersion;
  readonly ciphers?: string;
  readonly ciphersTls13?: string;
  readonly crlfile?: string;
}

export interface ConfigLocation {
  readonly file: string;
  readonly line: number;
}

export interface ListenerConfig {
  readonly port: number;
  /** Unset: all interfaces (Mosquitto 2.0 binds `0.0.0.0` and `::`). */
  readonly bindAddress?: string;
  readonly socketDomain?: 'ipv4' | 'ipv6';
  readonly protocol: 'mqtt' | 'websockets';
  readonly tls?: TlsConfig;
  readonly security: SecurityConfig;
  /** -1: unlimited. */
  readonly maxConnections: number;
  readonly mountPoint?: string;
  readonly maxTopicAlias: number;
  /**
   * `listener`: a `listener` line; `default`: the implicit listener built from options given
   * before any `listener` (or `port`); `local-only`: one of the loopback listeners Mosquitto
   * opens when the configuration defines none; one of them failing to bind is not fatal.
   */
  readonly origin: 'listener' | 'default' | 'local-only';
  /** Where the `listener` line is (absent for local-only listeners). */
  readonly where?: ConfigLocation;
}

export interface PersistenceConfig {
  readonly enabled: boolean;
  readonly location?: string;
  /** File name inside `location`; Mosquitto's default `mosquitto.db`. */
  readonly file: string;
  /** `location/file`, or `file` resolved against the base directory when there is no location. */
  readonly path: string;
  /** Seconds; 0 saves only at shutdown. */
  readonly autosaveInterval: number;
  /** mqtts-lab: when the store is fsynced — before every acknowledgement, once a second, or never. */
  readonly fsync: 'always' | 'interval' | 'never';
  /**
   * mqtts-lab: bytes the spools of absent persistent sessions may take on disk together
   * (`max_spooled_bytes`); 0 turns the spool off.
   */
  readonly spoolLimit: number;
}

/** mqtts-lab: the Prometheus `/metrics` HTTP endpoint (`metrics_listener`). */
export interface MetricsConfig {
  readonly port: number;
  /** 127.0.0.1 unless the line names an address. */
  readonly host: string;
}

export interface BrokerConfig {
  readonly listeners: readonly ListenerConfig[];
  /** No `listener`, `port` nor `bind_address` line: Mosquitto 2.0 allows anonymous clients. */
  readonly localOnly: boolean;
  readonly perListenerSettings: boolean;
  /** The global security options; every listener carries these when perListenerSettings is false. */
  readonly security: SecurityConfig;
  /** Bytes; 0 = no limit (the MQTT maximum). */
  readonly maxPacketSize: number;
  /** Payload bytes; 0 = no limit. */
  readonly messageSizeLimit: number;
  readonly maxKeepalive: number;
  /** 0 = no limit. */
  readonly maxInflightMessages: number;
  readonly maxInflightBytes: number;
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
  /** mqtts-lab: what a full queue does; 'block' holds publishers, 'drop' is Mosquitto's behaviour. */
  readonly queueFullPolicy: 'block' | 'drop';
  readonly queueQos0Messages: boolean;
  readonly retainAvailable: boolean;
  readonly allowDuplicateMessages: boolean;
  readonly checkRetainSource: boolean;
  readonly upgradeOutgoingQos: boolean;
  readonly setTcpNodelay: boolean;
  /** Seconds between $SYS updates; 0 disables them. */
  readonly sysInterval: number;
  readonly connectionMessages: boolean;
  /** Seconds; 0 = persistent sessions never expire. */
  readonly persistentClientExpiration: number;
  readonly persistence: PersistenceConfig;
  /** mqtts-lab: a client whose certificate expires while connected is disconnected. */
  readonly disconnectOnCertificateExpiry: boolean;
  /** mqtts-lab: absent unless `metrics_listener` is set (off by default). */
  readonly metrics?: MetricsConfig;
  readonly log: LogConfig;
  readonly pidFile?: string;
  /** Accepted for compatibility; mqtts-lab never changes user. */
  readonly user: string;
  /** Options accepted but ignored or deprecated, and risky combinations, as `file:line: text`. */
  readonly warnings: readonly string[];
}

/** What `mosquitto -p PORT -v` would add to a configuration. */
export interface CommandLineOverrides {
  /** Used only when the configuration defines no listener (Mosquitto 2.0.11 ignores them otherwise). */
  readonly ports?: readonly number[];
  /** `-v`: every log type. */
  readonly verbose?: boolean;
}

export interface ConfigSource {
  /** Shown in errors and warnings. */
  readonly file: string;
  /** Relative paths in the file are resolved against this (Mosquitto: the process cwd). */
  readonly baseDir: string;
  /**
   * Reads the `*.conf` files of an `include_dir`, in Mosquitto's order. parseMosquittoConf has
   * no filesystem access of its own: without this, `include_dir` is an error.
   */
  readonly includeDir?: (dir: string) => readonly IncludedFile[];
}

export interface IncludedFile {
  readonly file: string;
  readonly text: string;
}
