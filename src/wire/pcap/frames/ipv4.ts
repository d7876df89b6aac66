import { malformed } from '../cursor.js';
import { internetChecksum } from './checksum.js';

export const IPV4_HEADER_LENGTH = 20;
export const IP_PROTOCOL_TCP = 6;

const DOTTED_QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(text: string): boolean {
  return DOTTED_QUAD.test(text);
}

export function parseIpv4(text: string): Uint8Array {
  if (!isIpv4(text)) throw new RangeError(`not a dotted-quad IPv4 address: ${text}`);
  return Uint8Array.from(text.split('.').map(Number));
}

export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

export interface Ipv4HeaderFields {
  readonly src: string;
  readonly dst: string;
  readonly protocol: number;
  /** Identification field; the sender increments it per datagram. */
  readonly id: number;
  readonly payloadLength: number;
  readonly ttl?: number;
  readonly dontFragment?: boolean;
}

/** A 20-byte IPv4 header (no options) with its checksum (RFC 791 §3.1). */
export function encodeIpv4Header(f: Ipv4HeaderFields): Uint8Array {
  const total = IPV4_HEADER_LENGTH + f.payloadLength;
  if (total > 0xffff) throw new RangeError(`an IPv4 datagram is at most 65535 bytes, not ${total}`);
  const h = new Uint8Array(IPV4_HEADER_LENGTH);
  const v = new DataView(h.buffer);
  h[0] = 0x45; // version 4, IHL 5 words
  v.setUint16(2, total);
  v.setUint16(4, f.id & 0xffff);
  v.setUint16(6, (f.dontFragment ?? true) ? 0x4000 : 0); // flags: DF; fragment offset 0
  h[8] = f.ttl ?? 64;
  h[9] = f.protocol;
  h.set(parseIpv4(f.src), 12);
  h.set(parseIpv4(f.dst), 16);
  // RFC 791 §3.1: checksum over the header with the checksum field zero.
  v.setUint16(10, internetChecksum(h));
  return h;
}

export interface Ipv4Packet {
  readonly headerLength: number;
  readonly totalLength: number;
  readonly id: number;
  readonly dontFragment: boolean;
  readonly moreFragments: boolean;
  /** In bytes (the field counts 8-byte units). */
  readonly fragmentOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly checksum: number;
  readonly src: string;
  readonly dst: string;
  readonly payload: Uint8Array;
  /** The capture cut the datagram short (snap length): `payload` is a prefix of the real one. */
  readonly truncated: boolean;
}

/**
 * Decode an IPv4 header at the start of `bytes`. `cut` says the capture holds fewer bytes than
 * were on the wire; only then may the datagram be shorter than its Total Length. Bytes after
 * Total Length (Ethernet padding to 60 bytes, a trailing FCS) are not payload. `base` is the
 * offset of `bytes` used in error messages.
 */
export function decodeIpv4(bytes: Uint8Array, base: number, cut: boolean): Ipv4Packet {
  const totalLength = checkIpv4Header(bytes, 0, base, cut);
  const headerLength = (bytes[0]! & 0x0f) * 4;
  const flags = (bytes[6]! << 8) | bytes[7]!;
  return {
    headerLength,
    totalLength,
    id: (bytes[4]! << 8) | bytes[5]!,
    dontFragment: (flags & 0x4000) !== 0,
    moreFragments: (flags & 0x2000) !== 0,
    fragmentOffset: (flags & 0x1fff) * 8,
    ttl: bytes[8]!,
    protocol: bytes[9]!,
    checksum: (bytes[10]! << 8) | bytes[11]!,
    src: formatIpv4(bytes, 12),
    dst: formatIpv4(bytes, 16),
    payload: bytes.subarray(headerLength, Math.min(totalLength, bytes.length)),
    truncated: totalLength > bytes.length,
  };
}

/**
 * The checks of `decodeIpv4` on the header at `bytes[start]` (the datagram runs to `end`, the
 * end of `bytes` by default), without building anything; returns Total Length. The frame decoder reads the
 * fields it needs in place.
 */
export function checkIpv4Header(
  bytes: Uint8Array,
  start: number,
  base: number,
  cut: boolean,
  end = bytes.length,
): number {
  const captured = end - start;
  if (captured < IPV4_HEADER_LENGTH)
    throw malformed(`IPv4 header needs 20 bytes, ${captured} captured`, base);
  const version = bytes[start]! >>> 4;
  if (version !== 4) throw malformed(`IP version ${version}, expected 4`, base);
  const headerLength = (bytes[start]! & 0x0f) * 4;
  const totalLength = (bytes[start + 2]! << 8) | bytes[start + 3]!;
  // RFC 791 §3.1: IHL is at least 5 words, and Total Length includes the header.
  if (headerLength < IPV4_HEADER_LENGTH) throw malformed(`IPv4 IHL ${headerLength / 4} < 5`, base);
  if (totalLength < headerLength)
    throw malformed(`IPv4 total length ${totalLength} < header length ${headerLength}`, base + 2);
  if (headerLength > captured)
    throw malformed(`IPv4 header of ${headerLength} bytes, ${captured} captured`, base);
  if (totalLength > captured && !cut)
    throw malformed(`IPv4 total length ${totalLength} runs past the ${captured} captured bytes`, base + 2);
  return totalLength;
}
