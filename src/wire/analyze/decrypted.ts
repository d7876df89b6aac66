/**
 * What the holder of a TLS key log reads of a connection: the MQTT inside the records and, in
 * TLS 1.3, the handshake the eavesdropper only saw as lengths (the client certificate, the ALPN
 * choice). Kept apart from the observations: the verdicts stay the eavesdropper's, who has no keys.
 */
import { decryptTls } from '../tls/decrypt.js';
import type { KeyLog } from '../tls/keylog.js';
import type { TlsDissection } from '../tls/types.js';
import { decodeMqtt } from './mqtt-decode.js';
import { observeMqtt } from './mqtt.js';
import type { OrderedStreams, StreamChunk } from './streams.js';
import { certView } from './tls.js';
import type { DecryptedView, Direction } from './types.js';

export function decryptedView(
  d: Extract<TlsDissection, { tls: true }>,
  streams: Readonly<Record<Direction, Uint8Array>>,
  keyLog: KeyLog,
  limits: { readonly maxPacketSize: number; readonly maxMessages: number },
): DecryptedView {
  const out = decryptTls(d, streams, keyLog);
  const base = {
    status: out.status,
    detail: out.detail,
    records: out.records,
    failures: out.failures.map((f) => ({ direction: f.direction, recordIndex: f.recordIndex, what: f.what })),
  };
  if (out.records.decrypted === 0) return { ...base, alerts: [] };
  const ee = out.handshakes.find((h) => h.type === 'encrypted_extensions');
  const certificate = out.handshakes.find((h) => h.direction === 'c2s' && h.type === 'certificate');
  const leaf = certificate?.type === 'certificate' ? certificate.certificates[0] : undefined;
  const alpn = ee?.type === 'encrypted_extensions' ? ee.alpn?.[0] : undefined;
  const plaintext = plaintextStreams(out.application);
  const view: DecryptedView = {
    ...base,
    ...(alpn !== undefined && { alpnSelected: alpn }),
    ...(leaf && { clientCertificate: certView(leaf) }),
    alerts: out.alerts.map((a) => ({
      direction: a.direction,
      timeUs: a.timestampUs,
      ...(a.level && { level: a.level.name }),
      ...(a.description && { description: a.description.name }),
    })),
  };
  if (plaintext.chunks.length === 0) return view;
  const decoding = decodeMqtt(plaintext, limits.maxPacketSize);
  if (decoding.packets.length === 0)
    return { ...view, notes: [{ what: 'the decrypted application data is not MQTT' }] };
  const mqtt = observeMqtt(decoding, limits.maxMessages).view;
  return { ...view, mqtt, ...(decoding.notes.length > 0 && { notes: decoding.notes }) };
}

/** Decrypted application data as the MQTT decoder reads streams: offsets are in the plaintext. */
function plaintextStreams(
  chunks: readonly { direction: Direction; timestampUs: number; bytes: Uint8Array }[],
): OrderedStreams {
  const at = { c2s: 0, s2c: 0 };
  const ordered: StreamChunk[] = chunks.map((c) => {
    const chunk = {
      direction: c.direction,
      offset: at[c.direction],
      timestampUs: c.timestampUs,
      bytes: c.bytes,
    };
    at[c.direction] += c.bytes.length;
    return chunk;
  });
  const join = (dir: Direction) =>
    Buffer.concat(ordered.filter((c) => c.direction === dir).map((c) => c.bytes));
  return { chunks: ordered, readable: { ...at }, streams: { c2s: join('c2s'), s2c: join('s2c') }, notes: [] };
}
