import { MAX_RECORD_LENGTH, RECORD_HEADER_LENGTH } from './record.js';
import type { TlsDirection, TlsStreamChunk } from './types.js';

export type Sniff =
  { readonly verdict: 'tls' | 'more' } | { readonly verdict: 'not-tls'; readonly reason: string };

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/**
 * Does a stream start with a TLS record header? Decided byte by byte, so plaintext MQTT (first
 * byte 0x10 CONNECT), HTTP or SSH is rejected on its first byte, and a TLS stream after five.
 */
export function sniffTls(first: Uint8Array): Sniff {
  const head = first.subarray(0, RECORD_HEADER_LENGTH);
  const no = (rule: string): Sniff => ({ verdict: 'not-tls', reason: `first bytes ${hex(head)}: ${rule}` });
  const type = head[0];
  const major = head[1];
  const minor = head[2];
  if (type === undefined) return { verdict: 'more' };
  // RFC 2246 §E.2: a version-2 ClientHello starts with a 2-byte length whose top bit is set.
  if (type & 0x80 && head.length >= 3 && head[2] === 1)
    return no('an SSLv2-format ClientHello (not dissected)');
  // RFC 5246 §6.2.1 ContentType 20–23, RFC 6520 heartbeat 24.
  if (type < 20 || type > 24) return no(`content type ${type} is not 20–24`);
  if (major === undefined) return { verdict: 'more' };
  // RFC 5246 §6.2.1: ProtocolVersion {3, x}.
  if (major !== 3) return no(`record version major ${major} is not 3`);
  if (minor === undefined) return { verdict: 'more' };
  // RFC 8446 §5.1: legacy_record_version is 0x0301–0x0303 in practice; 0x0300–0x0304 tolerated.
  if (minor > 4) return no(`record version 3.${minor} is not SSL 3.0–TLS 1.3`);
  if (head.length < RECORD_HEADER_LENGTH) return { verdict: 'more' };
  const length = (head[3]! << 8) | head[4]!;
  // RFC 5246 §6.2.1: no zero-length handshake/alert/CCS fragments; §6.2.3: ≤ 2^14 + 2048.
  if (length === 0 || length > MAX_RECORD_LENGTH) return no(`record length ${length} is out of range`);
  return { verdict: 'tls' };
}

/**
 * Holds a connection's first chunks until it is known whether it is TLS. The first side to
 * speak decides — unless it stalls while the other side has a whole header, so at most ~5 bytes
 * per side plus the deciding chunk are ever held.
 */
export class StreamSniffer {
  private held: TlsStreamChunk[] = [];
  private readonly heldBytes = { c2s: 0, s2c: 0 };
  private leader: TlsDirection | undefined;

  push(chunk: TlsStreamChunk): Sniff {
    this.held.push(chunk);
    this.heldBytes[chunk.direction] += chunk.bytes.length;
    this.leader ??= chunk.direction;
    const verdict = this.sniff(this.leader);
    if (verdict.verdict !== 'more' || this.heldBytes[chunk.direction] < RECORD_HEADER_LENGTH) return verdict;
    return this.sniff(chunk.direction);
  }

  /** The held chunks in capture order; the sniffer is empty after it. */
  release(): TlsStreamChunk[] {
    const held = this.held;
    this.held = [];
    return held;
  }

  private sniff(dir: TlsDirection): Sniff {
    const head = new Uint8Array(Math.min(RECORD_HEADER_LENGTH, this.heldBytes[dir]));
    let at = 0;
    for (const c of this.held) {
      if (at === head.length) break;
      if (c.direction !== dir) continue;
      const part = c.bytes.subarray(0, head.length - at);
      head.set(part, at);
      at += part.length;
    }
    return sniffTls(head);
  }
}
