/**
 * The JSON the dashboard draws: the running system's topology and live state (read from the
 * running step's objects, never from a fixed picture), the attacks, the eavesdropper's view of
 * the live capture, and the STRIDE matrix from the session's findings.
 */
import { STRIDE_CATEGORIES, type Finding, type StepNumber, type Text } from '../core/findings.js';
import { strideMatrix } from '../assess/index.js';
import type { RunningDevice } from '../device/index.js';
import { analyzeCapture, type ConnectionAnalysis } from '../wire/analyze/index.js';
import type { KeyLog } from '../wire/tls/keylog.js';
import { type LabSession, listenerOf } from '../lab/session.js';
import { STEP_KEY_SOURCE, STEP_SIGNED_READINGS } from '../lab/step.js';

/** Button labels of the attacks the lab runs (their findings carry their own bilingual text). */
export const ATTACK_LABELS: Readonly<Record<string, Text>> = {
  sniff: { en: 'Sniff the network', fr: 'Écouter le réseau' },
  'i2c-sniff': { en: 'I2C bus sniff at boot', fr: 'Écoute du bus I2C au démarrage' },
  ram: { en: 'Key in RAM after boot', fr: 'Clé en RAM après le démarrage' },
  'flash-dump': { en: 'Flash dump (esptool)', fr: 'Dump de la flash (esptool)' },
  'i2c-read': { en: 'I2C read of slot 8', fr: 'Lecture I2C du slot 8' },
  'i2c-overwrite': { en: 'I2C overwrite of slot 8', fr: 'Écrasement I2C du slot 8' },
  'secure-element': { en: 'Unplug SE / wrong SE', fr: 'SE débranché / mauvais SE' },
  certificates: { en: 'Forged certificates', fr: 'Certificats forgés' },
  downgrade: { en: 'Downgrade to plain MQTT', fr: 'Rétrogradation en MQTT clair' },
  acl: { en: 'ACL probe', fr: 'Sonde ACL' },
  repudiation: { en: 'Forged reading', fr: 'Mesure forgée' },
  tamper: { en: 'Bit-flip relay', fr: 'Relais qui inverse un bit' },
  replay: { en: 'Replay a capture', fr: 'Rejouer une capture' },
  flood: { en: 'Connection flood', fr: 'Inondation de connexions' },
};

export const STEP_TITLES: Readonly<Record<StepNumber, Text>> = {
  1: { en: 'Plain MQTT', fr: 'MQTT en clair' },
  2: { en: 'mTLS, key in flash', fr: 'mTLS, clé en flash' },
  3: { en: 'SE slot 8 (seed design)', fr: 'SE slot 8 (conception des documents)' },
  4: { en: 'SE slot 0 (key never leaves the chip)', fr: 'SE slot 0 (la clé ne quitte jamais la puce)' },
};

function deviceView(d: RunningDevice, role: 'm5go' | 'm5stack') {
  const se = d.board.secureElement;
  const stats = d.link?.stats;
  return {
    role,
    clientId: d.settings?.clientId ?? role,
    keySource: d.settings?.keySource ?? 'none',
    status: d.status,
    connected: d.link?.client !== undefined,
    ...(d.haltReason ? { haltReason: `${d.haltReason.code}: ${d.haltReason.message}` } : {}),
    ...(stats?.tlsVersion ? { tlsVersion: stats.tlsVersion } : {}),
    ...(stats?.cipher ? { cipher: stats.cipher } : {}),
    connects: stats?.connects ?? 0,
    failures: stats?.failures ?? 0,
    ...(stats?.lastError ? { lastError: stats.lastError } : {}),
    published: d.publisher?.state.published ?? 0,
    received: d.subscriber?.state.received ?? 0,
    flagged: d.subscriber?.state.flagged ?? 0,
    secureElement: se
      ? {
          present: true,
          address: `0x${se.i2cAddress.toString(16)}`,
          profile: se.profile,
          locks: { config: se.locks.config, data: se.locks.data },
        }
      : { present: false },
  };
}

export function stateView(session: LabSession) {
  const s = session.running;
  return {
    step: session.step,
    up: s !== undefined,
    activeAttack: session.activeAttack ?? null,
    steps: ([1, 2, 3, 4] as const).map((step) => ({
      step,
      title: STEP_TITLES[step],
      keySource: STEP_KEY_SOURCE[step],
      signedReadings: STEP_SIGNED_READINGS[step],
    })),
    attacks: session.attacks.map((a) => ({
      name: a.name,
      label: ATTACK_LABELS[a.name] ?? { en: a.name, fr: a.name },
    })),
    ...(s && {
      broker: {
        kind: s.broker.kind,
        host: s.broker.host,
        port: s.broker.port,
        tls: s.step > 1,
        listener: listenerOf(s),
        relayPort: s.relay.port,
        relayConnections: s.relay.accepted,
      },
      devices: [deviceView(s.target.publisher, 'm5go'), deviceView(s.target.subscriber, 'm5stack')],
      topic: s.target.topic,
    }),
  };
}

/**
 * What a passive observer of a capture learns, per connection (the first few). With a key log,
 * `keyHolder` adds what the holder of the TLS secrets reads: a separate section, never merged
 * into the observer's verdicts, since an eavesdropper has no keys.
 */
export function eavesdropperView(pcap: Uint8Array, keyLog?: KeyLog) {
  const a = analyzeCapture(pcap, { maxMessages: 10, maxRecords: 20 });
  const held = keyLog && analyzeCapture(pcap, { maxMessages: 10, maxRecords: 0, keyLog });
  return {
    packets: a.packets,
    connections: a.connections.slice(0, 8).map((c) => ({
      index: c.index,
      client: `${c.client.ip}:${c.client.port}`,
      server: `${c.server.ip}:${c.server.port}`,
      protocol: c.protocol,
      bytes: c.bytes,
      verdict: c.verdict,
      observations: c.observations.map((o) => ({
        item: o.item,
        verdict: o.verdict,
        ...(o.value !== undefined ? { value: clip(o.value, 300) } : {}),
        detail: o.detail,
      })),
    })),
    totalConnections: a.connections.length,
    ...(held && {
      keyHolder: {
        sessions: held.keyLog?.sessions ?? 0,
        decryptedConnections: held.keyLog?.decryptedConnections ?? 0,
        connections: held.connections
          .slice(0, 8)
          .filter((c) => c.decrypted !== undefined)
          .map(keyHolderConnection),
      },
    }),
  };
}

function keyHolderConnection(c: ConnectionAnalysis) {
  const d = c.decrypted!;
  const m = d.mqtt;
  return {
    index: c.index,
    status: d.status,
    detail: d.detail,
    ...(d.clientCertificate?.subject !== undefined && { clientCertificate: d.clientCertificate.subject }),
    ...(m?.connect && {
      clientId: m.connect.clientId,
      ...(m.connect.username !== undefined && { username: m.connect.username }),
    }),
    publishes: (m?.publishes ?? []).map((p) => ({
      topic: p.topic,
      payload: clip(p.payload.text ?? `hex ${p.payload.hex ?? ''}`, 300),
    })),
  };
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** The STRIDE matrix per step, with each finding (evidence files as paths under the served root). */
export function matrixView(session: LabSession, fileOf: (f: Finding, file: string) => string) {
  const result = session.result();
  const matrix = strideMatrix(result);
  return {
    categories: STRIDE_CATEGORIES,
    rows: matrix.rows,
    findings: result.findings.map((f) => withFiles(f, fileOf)),
  };
}

export function withFiles(f: Finding, fileOf: (f: Finding, file: string) => string): Finding {
  return { ...f, evidence: f.evidence.map((e) => (e.file ? { ...e, file: fileOf(f, e.file) } : e)) };
}
