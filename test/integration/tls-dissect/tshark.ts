import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';

export const TSHARK = 'tshark';

/** One TLS record as tshark dissects it: the independent view the dissector is compared with. */
export interface TsharkRecord {
  readonly frame: number;
  readonly direction: 'c2s' | 's2c';
  /** tls.record.content_type, or tls.record.opaque_type for TLS 1.3 protected records. */
  readonly contentType: number;
  readonly version: number;
  readonly length: number;
  readonly handshakeTypes: readonly number[];
  readonly cipherSuites: readonly number[];
  readonly serverNames: readonly string[];
  /** SHA-256 of each certificate, "AB:CD:…" like TlsCertificateInfo.sha256Fingerprint. */
  readonly certificates: readonly string[];
  readonly alerts: readonly number[];
}

export function hasTshark(): boolean {
  const r = spawnSync(TSHARK, ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

type Json = string | Json[] | { [key: string]: Json };

/** Run tshark on a pcap (server on 8883, checksums not checked) and list its TLS records. */
export function tsharkRecords(pcap: string, serverPort = 8883): TsharkRecord[] {
  const args = ['-r', pcap, '-o', 'tcp.check_checksum:FALSE', '-d', `tcp.port==${serverPort},tls`];
  const r = spawnSync(TSHARK, [...args, '-T', 'json', '--no-duplicate-keys', '-J', 'frame tcp tls'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) throw new Error(`tshark failed: ${r.error?.message ?? r.stderr}`);
  const out: TsharkRecord[] = [];
  for (const packet of JSON.parse(r.stdout) as { _source: { layers: Record<string, Json> } }[]) {
    const layers = packet._source.layers;
    const tls = layers.tls as Record<string, Json> | Record<string, Json>[] | undefined;
    if (!tls) continue;
    const frame = Number(first(layers.frame, 'frame.number'));
    const direction = Number(first(layers.tcp, 'tcp.dstport')) === serverPort ? 'c2s' : 's2c';
    // A frame may carry several TLS layers (several reassembled PDUs), each with records.
    for (const layer of [tls].flat()) {
      for (const rec of [layer['tls.record'] ?? []].flat()) {
        out.push({
          frame,
          direction,
          contentType: Number(first(rec, 'tls.record.content_type') ?? first(rec, 'tls.record.opaque_type')),
          version: Number(first(rec, 'tls.record.version')),
          length: Number(first(rec, 'tls.record.length')),
          handshakeTypes: all(rec, 'tls.handshake.type').map(Number),
          cipherSuites: all(rec, 'tls.handshake.ciphersuite').map(Number),
          serverNames: all(rec, 'tls.handshake.extensions_server_name'),
          certificates: all(rec, 'tls.handshake.certificate').map(sha256),
          alerts: all(rec, 'tls.alert_message.desc').map(Number),
        });
      }
    }
  }
  return out;
}

/** Every value of `key` anywhere under `node`, in document order. */
function all(node: Json | undefined, key: string): string[] {
  const out: string[] = [];
  const walk = (n: Json | undefined) => {
    if (n === undefined || typeof n === 'string') return;
    if (Array.isArray(n)) return n.forEach(walk);
    for (const [k, v] of Object.entries(n)) {
      if (k === key) out.push(...[v].flat().filter((x): x is string => typeof x === 'string'));
      else walk(v);
    }
  };
  walk(node);
  return out;
}

const first = (node: Json | undefined, key: string): string | undefined => all(node, key)[0];

function sha256(colonHex: string): string {
  const der = Buffer.from(colonHex.replace(/:/g, ''), 'hex');
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}
