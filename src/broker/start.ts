import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeToStream } from 'mqtt-packet';
import type { Clock } from '../core/clock.js';
import { LabError } from '../core/errors.js';
import { readFileChecked, writeFileAtomic } from '../core/fs.js';
import { type Acl, parseAclFile } from './acl.js';
import { authenticate } from './authenticate.js';
import { Broker } from './broker.js';
import type { BrokerConfig, ListenerConfig, SecurityConfig, TlsConfig } from './config/types.js';
import type { ListenerSpec, ListenerTls, RunningListener } from './listeners/listener.js';
export type { ReloadResult } from './reload.js';
import { startListener } from './listeners/net.js';
import { type BrokerLogger, createBrokerLogger } from './log.js';
import { brokerFamilies, exposition, type MetricsEndpoint, serveMetrics } from './metrics/index.js';
import { type PasswordEntry, parsePasswordFile } from './password-file.js';
import { BrokerStore } from './persistence/store.js';
import { type ListenerState, type ReloadResult, reloadSecurity, watchExpiry } from './reload.js';
import type { Session } from './session.js';
import { BROKER_VERSION } from './sys.js';
import type { AuthDecision, ConnectCredentials, PeerCertificate } from './types.js';

/** What a broker without a limit of its own gets: bounded, so one client cannot take all memory. */
const DEFAULT_MAX_PACKET = 16 * 1024 * 1024;

export interface RunningBroker {
  readonly broker: Broker;
  readonly listeners: readonly RunningListener[];
  /** The Prometheus endpoint, when `metrics_listener` is set. */
  readonly metrics: MetricsEndpoint | undefined;
  /**
   * Re-read certificates, key, CA bundle, CRLs, ACL and password files (SIGHUP). All or
   * nothing: if one file fails, nothing changes. Connections stay up, except those whose
   * certificate the new CRLs revoke.
   */
  reload(): ReloadResult;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly clock?: Clock;
  /** Where stdout/stderr log destinations write (tests capture them). */
  readonly stdout?: (line: string) => void;
  readonly stderr?: (line: string) => void;
  /** Shown in the "Config loaded from" line. */
  readonly configFile?: string;
  /**
   * Lab only, off by default: every TLS listener hands each session's secrets (NSS key log
   * lines) to this function, so a capture of the broker's traffic can be decrypted for teaching.
   * The broker logs a warning at start when it is set.
   */
  readonly keyLog?: (line: Buffer) => void;
  /**
   * How long a connected client's full queue may stand still before the client counts as
   * stalled (its publishers are released; its messages spool or drop). Default 10 s.
   */
  readonly queueStallMs?: number;
}

/**
 * Run a broker as a mosquitto.conf describes it: every listener with its TLS files and its
 * authentication (require_certificate × use_identity_as_username × allow_anonymous ×
 * password_file, with Mosquitto 2.0's meaning). Files are read before anything listens, so a
 * bad path fails the start, not the first client.
 */
export async function startBroker(config: BrokerConfig, options: StartOptions = {}): Promise<RunningBroker> {
  // mqtt-packet's first generate() builds a cache of 65,536 two-byte Buffers (~6 MiB of heap) for
  // the numbers it writes. The broker encodes PUBLISH and acknowledgements itself, so generate()
  // only sees rare packets (CONNACK, SUBACK…), which can allocate their numbers: same bytes.
  writeToStream.cacheNumbers = false;
  const late: { broker?: Broker } = {};
  const log = createBrokerLogger(config.log, {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.stdout ? { stdout: { write: options.stdout } } : {}),
    ...(options.stderr ? { stderr: { write: options.stderr } } : {}),
    // log_dest topic: published by the broker once it exists, at QoS 2 as Mosquitto does, not retained.
    onTopic: (topic, line) =>
      late.broker?.publish({
        topic,
        payload: Buffer.from(line),
        qos: 2,
        retain: false,
        properties: undefined,
        expiresAt: undefined,
        origin: undefined,
      }),
  });
  const broker = new Broker({
    maxPacketSize: config.maxPacketSize > 0 ? config.maxPacketSize : DEFAULT_MAX_PACKET,
    messageSizeLimit: config.messageSizeLimit,
    // Mosquitto's default 65535 means "no ceiling"; only a lower value changes keepalives.
    ...(config.maxKeepalive < 65_535 ? { maxKeepalive: config.maxKeepalive } : {}),
    maxInflightMessages:
      config.maxInflightMessages > 0 ? Math.min(config.maxInflightMessages, 65_535) : 65_535,
    maxQueuedMessages: config.maxQueuedMessages,
    queueFullPolicy: config.queueFullPolicy,
    queueQos0Messages: config.queueQos0Messages,
    retainAvailable: config.retainAvailable,
    maxTopicAlias: config.listeners[0]?.maxTopicAlias ?? 10,
    allowZeroLengthClientid: config.security.allowZeroLengthClientid,
    autoIdPrefix: config.security.autoIdPrefix,
    ...(config.persistentClientExpiration > 0
      ? { persistentClientExpiration: config.persistentClientExpiration }
      : {}),
    sysInterval: config.sysInterval,
    connectionMessages: config.connectionMessages,
    ...(options.queueStallMs !== undefined ? { queueStallMs: options.queueStallMs } : {}),
    log,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  late.broker = broker;
  log.log('information', `${BROKER_VERSION} starting`);
  if (options.configFile) log.log('information', `Config loaded from ${options.configFile}.`);
  for (const warning of config.warnings) log.log('warning', `Warning: ${warning}`);
  let states: readonly ListenerState[];
  try {
    states = config.listeners.map((l) => readListenerState(l, config, log));
  } catch (err) {
    await broker.close();
    await log.close();
    throw err;
  }
  const keyLog = options.keyLog;
  const specs = config.listeners.map((l, i) => ({
    ...listenerSpec(l, config, states[i]!),
    ...(keyLog && { keyLog }),
  }));
  if (keyLog && specs.some((s) => s.tls))
    log.log(
      'warning',
      'Warning: TLS session secrets are being written to a key log (lab and teaching use only).',
    );
  const running: RunningListener[] = [];
  let metrics: MetricsEndpoint | undefined;
  // Resolved at each check, so a session restored before the listeners bound finds its ACL.
  const aclForPort = (port: number) => () => {
    const i = config.listeners.findIndex((l, j) => (running[j]?.port ?? l.port) === port);
    return (states[i] ?? states[0])?.acl;
  };
  try {
    if (config.persistence.enabled) openStore(broker, config, log, aclForPort);
    for (const [i, spec] of specs.entries()) {
      const listener = config.listeners[i]!;
      log.log(
        'information',
        `Opening ${listener.socketDomain ?? 'ipv4'} listen socket on port ${spec.port}.`,
      );
      try {
        running.push(await startListener(broker, spec));
      } catch (err) {
        // Mosquitto's local-only mode tolerates one loopback family failing to bind.
        if (listener.origin === 'local-only') continue;
        throw new LabError(
          'ERR_BROKER_LISTEN',
          `cannot listen on port ${spec.port}: ${(err as Error).message}`,
          {
            cause: err,
            details: { port: spec.port },
          },
        );
      }
    }
    if (config.metrics) {
      metrics = await serveMetrics(config.metrics, () => exposition(brokerFamilies(broker)));
      const host = metrics.host.includes(':') ? `[${metrics.host}]` : metrics.host;
      log.log('information', `Opening metrics listener on http://${host}:${metrics.port}/metrics.`);
    }
  } catch (err) {
    await Promise.all(running.map((l) => l.close()));
    await broker.close();
    await log.close();
    throw err;
  }
  if (config.pidFile) writePidFile(config.pidFile);
  const expiryTimer = config.disconnectOnCertificateExpiry ? watchExpiry(broker) : undefined;
  log.log('information', `${BROKER_VERSION} running`);
  return {
    broker,
    listeners: running,
    metrics,
    reload: () =>
      reloadSecurity(
        broker,
        log,
        running,
        (i) => readListenerState(config.listeners[i]!, config, log),
        states,
      ),
    close: async () => {
      clearInterval(expiryTimer);
      try {
        await broker.close();
      } finally {
        // A store that cannot write its last snapshot still lets the sockets go (its error is thrown).
        if (config.pidFile) removePidFile(config.pidFile);
        await Promise.all(running.map((l) => l.close()));
        await metrics?.close();
        log.log('information', `${BROKER_VERSION} terminating`);
        await log.close();
      }
    },
  };
}

function securityOf(listener: ListenerConfig, config: BrokerConfig): SecurityConfig {
  return config.perListenerSettings ? listener.security : config.security;
}

/** Every file a listener's security reads, read now: the start (or reload) fails on the first bad one. */
function readListenerState(listener: ListenerConfig, config: BrokerConfig, log: BrokerLogger): ListenerState {
  const security = securityOf(listener, config);
  return {
    passwords: security.passwordFile ? loadPasswords(security.passwordFile, log) : undefined,
    acl: security.aclFile ? loadAcl(security.aclFile) : undefined,
    tls: listener.tls ? readTls(listener.tls) : undefined,
  };
}

function listenerSpec(listener: ListenerConfig, config: BrokerConfig, state: ListenerState): ListenerSpec {
  const tls = listener.tls;
  const security = securityOf(listener, config);
  return {
    port: listener.port,
    ...(listener.bindAddress ? { host: listener.bindAddress } : {}),
    protocol: listener.protocol,
    ...(state.tls ? { tls: state.tls } : {}),
    maxConnections: listener.maxConnections,
    authenticate: (certificate, credentials) =>
      decide(tls, security, state.passwords, certificate, credentials),
    acl: () => state.acl,
  };
}

function decide(
  tls: TlsConfig | undefined,
  security: SecurityConfig,
  passwords: ReadonlyMap<string, PasswordEntry> | undefined,
  certificate: PeerCertificate | undefined,
  c: ConnectCredentials,
): AuthDecision {
  return authenticate({
    protocolVersion: c.protocolVersion,
    listenerTls: tls !== undefined,
    peerCertificate: certificate && {
      subjectCN: certificate.commonName,
      subjectRfc2253: certificate.subject,
    },
    useIdentityAsUsername: tls?.useIdentityAsUsername ?? false,
    useSubjectAsUsername: tls?.useSubjectAsUsername ?? false,
    allowAnonymous: security.allowAnonymous,
    passwords,
    username: c.username,
    password: c.password,
  });
}

function openStore(
  broker: Broker,
  config: BrokerConfig,
  log: BrokerLogger,
  aclFor: (port: number) => Session['acl'],
): void {
  const { path, fsync, spoolLimit } = config.persistence;
  const { store, restored } = BrokerStore.open(path, { fsync, spoolLimit });
  const { recovery } = restored;
  log.log('information', `Restoring persistent database from ${path}.`);
  if (recovery.droppedRecords > 0) {
    log.log(
      'warning',
      `Warning: ${path} was damaged: ${recovery.droppedRecords} damaged region(s), ${recovery.droppedBytes} bytes dropped; ${recovery.records.length} intact records recovered.`,
    );
  }
  let spooled = 0;
  let droppedRecords = recovery.droppedRecords;
  let droppedBytes = recovery.droppedBytes;
  for (const s of restored.spools) {
    spooled += s.entries;
    droppedRecords += s.droppedRecords;
    droppedBytes += s.droppedBytes;
    if (s.droppedRecords > 0) {
      log.log(
        'warning',
        `Warning: the spool of client ${s.clientId} was damaged: ${s.droppedRecords} damaged region(s), ${s.droppedBytes} bytes dropped; ${s.entries} intact messages recovered.`,
      );
    }
  }
  if (spooled > 0) {
    log.log('information', `Restored ${spooled} spooled messages for ${restored.spools.length} client(s).`);
  }
  broker.events.emit({
    type: 'store-recovered',
    records: recovery.records.length + spooled,
    droppedRecords,
    droppedBytes,
  });
  broker.attachStore(store, restored, aclFor);
}

function writePidFile(path: string): void {
  writeFileAtomic(path, `${process.pid}\n`, { overwrite: true });
}

function removePidFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}

function loadAcl(path: string): Acl {
  return parseAclFile(readFileChecked(path).toString('utf8'), path);
}

/** Like Mosquitto: a bad line drops that user (logged), the others still log in. */
function loadPasswords(path: string, log: BrokerLogger): ReadonlyMap<string, PasswordEntry> {
  return parsePasswordFile(readFileChecked(path).toString('utf8'), path, {
    lenient: true,
    onProblem: (p) => log.log('error', p.message),
  });
}

function readTls(tls: TlsConfig): ListenerTls {
  const ca: Buffer[] = [];
  if (tls.cafile) ca.push(readFileChecked(tls.cafile));
  if (tls.capath) {
    // Node has no hashed-directory lookup: every PEM file in capath is loaded as a trust anchor.
    for (const name of readdirSync(tls.capath).sort()) {
      const file = readFileChecked(join(tls.capath, name));
      if (file.includes('-----BEGIN CERTIFICATE-----')) ca.push(file);
    }
  }
  const version = tls.tlsVersion;
  const minVersion = version === 'tlsv1.3' ? 'TLSv1.3' : version === 'tlsv1.2' ? 'TLSv1.2' : 'TLSv1.1';
  return {
    ...(ca.length > 0 ? { ca } : {}),
    cert: readFileChecked(tls.certfile),
    key: readFileChecked(tls.keyfile),
    ...(tls.crlfile ? { crl: readCrls(tls.crlfile) } : {}),
    ...(tls.ciphers ? { ciphers: tls.ciphers } : {}),
    ...(tls.ciphersTls13 ? { ciphersTls13: tls.ciphersTls13 } : {}),
    requireCertificate: tls.requireCertificate,
    ...(version ? { minVersion } : {}),
  };
}

/**
 * Every CRL of a crlfile, one Buffer each. Mosquitto loads them all (src/net.c
 * net__load_crl_file: `X509_load_crl_file(lookup, listener->crlfile, X509_FILETYPE_PEM)`), but
 * Node's `crl` option reads only the first PEM block of each entry it is given. With one CRL
 * per CA in the file, every certificate of the second CA on would then fail with "unable to get
 * certificate CRL" where Mosquitto accepts it.
 */
function readCrls(path: string): Buffer[] {
  const text = readFileChecked(path).toString('latin1');
  const blocks = text.match(/-----BEGIN X509 CRL-----[\s\S]*?-----END X509 CRL-----/g) ?? [];
  if (blocks.length === 0) {
    // net__load_crl_file: rc < 1 → "Unable to load certificate revocation file", no start.
    throw new LabError('ERR_BROKER_CONFIG_INVALID', `crlfile ${path} holds no PEM CRL`, {
      details: { option: 'crlfile', path },
    });
  }
  return blocks.map((b) => Buffer.from(`${b}\n`, 'latin1'));
}
