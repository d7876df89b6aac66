/**
 * The handshake + MQTT sequence diagram, as data drawn from a capture: every arrow is a TLS
 * record, handshake message or MQTT packet the dissectors found in the pcap, marked with what
 * an eavesdropper sees of it (clear, or encrypted with only its length visible). Nothing is
 * drawn from the lab's configuration, so a TLS 1.3 capture gives a diagram where the client
 * certificate is encrypted and a TLS 1.2 one where it crosses in clear.
 */
import type { Packet } from 'mqtt-packet';
import { captureConnections } from '../wire/analyze/index.js';
import { MqttDecoder } from '../wire/mqtt/decoder.js';
import type { TcpConnection } from '../wire/tcp/index.js';
import { dissectTls, type TlsHandshakeMessage, type TlsStreamChunk } from '../wire/tls/index.js';
import type { SequenceConnection, SequenceMessage } from './api.js';
import { finishedRecordLength, type Tls13Flight, tls13Flights } from './sequence-tls13.js';

export type { ClientCertificateView, SequenceConnection, SequenceMessage, Visibility } from './api.js';

export interface CaptureSequence {
  readonly connections: readonly SequenceConnection[];
  readonly totalConnections: number;
}

export interface SequenceOptions {
  readonly maxConnections?: number;
  readonly maxMessages?: number;
}

export function captureSequence(pcap: Uint8Array, o: SequenceOptions = {}): CaptureSequence {
  const all = captureConnections(pcap);
  const maxMessages = o.maxMessages ?? 40;
  return {
    connections: all.slice(0, o.maxConnections ?? 6).map((c, i) => connectionSequence(c, i, maxMessages)),
    totalConnections: all.length,
  };
}

const endpoint = (e: { ip: string; port: number }) => `${e.ip}:${e.port}`;

function connectionSequence(conn: TcpConnection, index: number, maxMessages: number): SequenceConnection {
  const chunks: TlsStreamChunk[] = conn.chunks.map((c) => {
    const stream = c.direction === 'client-to-server' ? conn.clientToServer : conn.serverToClient;
    return {
      direction: c.direction === 'client-to-server' ? 'c2s' : 's2c',
      timestampUs: c.timestampUs,
      bytes: stream.bytes.subarray(c.offset, c.offset + c.length),
    };
  });
  const base = { index, client: endpoint(conn.client), server: endpoint(conn.server) };
  const start = conn.startUs;
  const tcp: SequenceMessage[] = conn.handshake
    ? [{ atUs: 0, from: 'client', label: 'TCP SYN / SYN-ACK / ACK', visibility: 'metadata' }]
    : [];
  const tls = dissectTls(chunks);
  let messages: SequenceMessage[];
  let protocol: SequenceConnection['protocol'];
  let extra: Partial<SequenceConnection> = {};
  if (tls.tls) {
    protocol = 'tls';
    const tls13 = tls13Handshake(tls);
    messages = tlsMessages(tls, start, tls13);
    const cc = tls.summary.clientCertificate;
    extra = {
      ...(tls.summary.version ? { tlsVersion: `TLS ${tls.summary.version}` } : {}),
      clientCertificateInClear: cc.visible,
      clientCertificate:
        tls13?.clientCertificate ??
        (cc.visible
          ? { visibility: 'clear', ...(cc.subject !== undefined && { subject: cc.subject }) }
          : cc.sent === false
            ? { visibility: 'none', evidence: 'no client Certificate in the handshake' }
            : { visibility: 'unknown', evidence: 'the handshake in the capture does not say' }),
    };
  } else {
    const mqtt = mqttMessages(chunks, start);
    protocol = mqtt.length > 0 ? 'mqtt' : 'unknown';
    messages = mqtt;
  }
  const folded = fold([...tcp, ...messages]);
  return {
    ...base,
    protocol,
    ...extra,
    messages: folded.slice(0, maxMessages),
    omitted: Math.max(0, folded.length - maxMessages),
  };
}

type Dissected = Extract<ReturnType<typeof dissectTls>, { tls: true }>;

function tls13Handshake(tls: Dissected): ReturnType<typeof tls13Flights> | undefined {
  if (tls.summary.version !== '1.3') return undefined;
  const sh = tls.handshakes.find((h) => h.type === 'server_hello');
  if (sh === undefined) return undefined;
  return tls13Flights(tls.records, sh.recordIndex, finishedRecordLength(tls.summary.cipherSuite));
}

function flightMessage(f: Tls13Flight, atUs: number): SequenceMessage {
  return {
    atUs,
    from: f.from,
    label: 'Encrypted handshake',
    visibility: 'encrypted',
    detail: `${f.bytes} B in type-23 records: only their lengths show`,
    count: f.records.length,
    hidden: f.hidden,
  };
}

function tlsMessages(
  tls: Dissected,
  start: number,
  tls13: ReturnType<typeof tls13Flights> | undefined,
): SequenceMessage[] {
  const flightOf = new Map<number, Tls13Flight>();
  for (const f of [tls13?.server, tls13?.client]) for (const r of f?.records ?? []) flightOf.set(r, f!);
  const byRecord = new Map<number, TlsHandshakeMessage[]>();
  for (const h of tls.handshakes) {
    const list = byRecord.get(h.recordIndex) ?? [];
    list.push(h);
    byRecord.set(h.recordIndex, list);
  }
  const out: SequenceMessage[] = [];
  for (const r of tls.records) {
    const from = r.direction === 'c2s' ? 'client' : 'server';
    const atUs = r.timestampUs - start;
    const flight = flightOf.get(r.index);
    if (flight) {
      // RFC 8446 §2: everything after ServerHello is encrypted; one arrow per flight.
      if (flight.records[0] === r.index) out.push(flightMessage(flight, atUs));
      continue;
    }
    switch (r.contentTypeName) {
      case 'handshake':
        for (const h of byRecord.get(r.index) ?? []) out.push({ atUs, from, ...handshakeLabel(h) });
        break;
      case 'change_cipher_spec':
        // RFC 8446 Appendix D.4: in TLS 1.3 a dummy record for middleboxes, it changes nothing.
        out.push({
          atUs,
          from,
          label: tls13 ? 'ChangeCipherSpec (compatibility)' : 'ChangeCipherSpec',
          visibility: 'clear',
        });
        break;
      case 'alert': {
        const a = tls.alerts.find((x) => x.recordIndex === r.index);
        out.push(
          a?.encrypted === false
            ? { atUs, from, label: `Alert ${a.description?.name ?? ''}`.trim(), visibility: 'clear' }
            : { atUs, from, label: `Alert (encrypted, ${r.length} B)`, visibility: 'encrypted' },
        );
        break;
      }
      case 'application_data':
        // RFC 8446 §5.2: TLS 1.3 hides the handshake in type-23 records too; only the length shows.
        out.push({ atUs, from, label: `Application data ${r.length} B`, visibility: 'encrypted' });
        break;
      default:
        out.push({ atUs, from, label: `${r.contentTypeName} record ${r.length} B`, visibility: 'metadata' });
    }
  }
  return out;
}

const HANDSHAKE_NAMES: Readonly<Record<string, string>> = {
  client_hello: 'ClientHello',
  server_hello: 'ServerHello',
  encrypted_extensions: 'EncryptedExtensions',
  certificate: 'Certificate',
  server_key_exchange: 'ServerKeyExchange',
  certificate_request: 'CertificateRequest',
  server_hello_done: 'ServerHelloDone',
  hello_request: 'HelloRequest',
  client_key_exchange: 'ClientKeyExchange',
  certificate_verify: 'CertificateVerify',
  finished: 'Finished',
  new_session_ticket: 'NewSessionTicket',
};

function handshakeLabel(h: TlsHandshakeMessage): Pick<SequenceMessage, 'label' | 'visibility' | 'detail'> {
  if (h.encrypted || h.type === 'encrypted') {
    const likely = h.type === 'encrypted' && h.likely === 'finished' ? ' (Finished)' : '';
    return { label: `Handshake, encrypted${likely}`, visibility: 'encrypted', detail: `${h.length} B` };
  }
  const name = h.type === 'other' ? h.name : (HANDSHAKE_NAMES[h.type] ?? h.type);
  switch (h.type) {
    case 'client_hello':
      return { label: name, visibility: 'clear', ...(h.serverName ? { detail: `SNI ${h.serverName}` } : {}) };
    case 'server_hello':
      return { label: name, visibility: 'clear', detail: `${h.version.name}, ${h.cipherSuite.name}` };
    case 'certificate': {
      const subjects = h.certificates.map((c) => c.subject ?? c.error ?? '?');
      return {
        label: name,
        visibility: 'clear',
        detail: subjects.length > 0 ? subjects.join(' ← ') : 'empty',
      };
    }
    case 'certificate_request':
      return { label: name, visibility: 'clear', detail: h.certificateAuthorities.join('; ') };
    default:
      return { label: name, visibility: 'clear' };
  }
}

function mqttMessages(chunks: readonly TlsStreamChunk[], start: number): SequenceMessage[] {
  const decoders = {
    c2s: new MqttDecoder({ maxPacketSize: 1024 * 1024 }),
    s2c: new MqttDecoder({ maxPacketSize: 1024 * 1024 }),
  };
  const out: SequenceMessage[] = [];
  for (const c of chunks) {
    const from = c.direction === 'c2s' ? 'client' : 'server';
    const failed = decoders[c.direction].push(Buffer.from(c.bytes), (p) =>
      out.push({ atUs: c.timestampUs - start, from, visibility: 'clear', ...mqttLabel(p) }),
    );
    if (failed) break;
  }
  return out;
}

function mqttLabel(p: Packet): Pick<SequenceMessage, 'label' | 'detail'> {
  switch (p.cmd) {
    case 'connect':
      return {
        label: 'CONNECT',
        detail: `client id ${p.clientId}${p.username ? `, user ${p.username}` : ''}`,
      };
    case 'connack':
      return { label: 'CONNACK', detail: `return code ${p.returnCode ?? p.reasonCode ?? 0}` };
    case 'subscribe':
      return { label: 'SUBSCRIBE', detail: p.subscriptions.map((s) => s.topic).join(', ') };
    case 'publish': {
      const payload = Buffer.from(p.payload as Uint8Array).toString('utf8');
      return {
        label: 'PUBLISH',
        detail: `${p.topic} ${payload.length > 120 ? `${payload.slice(0, 120)}…` : payload}`,
      };
    }
    default:
      return { label: p.cmd.toUpperCase() };
  }
}

/** Runs of identical encrypted or keep-alive arrows become one arrow with a count. */
function fold(messages: readonly SequenceMessage[]): SequenceMessage[] {
  const out: SequenceMessage[] = [];
  for (const m of messages) {
    const last = out[out.length - 1];
    const foldable =
      (m.visibility === 'encrypted' && m.hidden === undefined) ||
      m.label === 'PINGREQ' ||
      m.label === 'PINGRESP';
    if (last && foldable && last.from === m.from && sameKind(last.label, m.label)) {
      out[out.length - 1] = { ...last, label: kind(last.label).trim(), count: (last.count ?? 1) + 1 };
    } else {
      out.push(m);
    }
  }
  return out;
}

const kind = (label: string) => label.replace(/\d+ B$/, '');
const sameKind = (a: string, b: string) => kind(a) === kind(b);
