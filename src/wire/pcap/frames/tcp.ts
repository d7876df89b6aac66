import { malformed } from '../cursor.js';
import { internetChecksum } from './checksum.js';
import { IP_PROTOCOL_TCP, parseIpv4 } from './ipv4.js';

/** TCP control bits (RFC 793 §3.1, with ECE/CWR from RFC 3168 §23.2). */
export const TCP_FLAGS = Object.freeze({
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
});

export const TCP_HEADER_LENGTH = 20;
const OPTION_END = 0;
const OPTION_NOP = 1;
const OPTION_MSS = 2;

export interface Endpoint {
  readonly ip: string;
  readonly port: number;
}

/** `SYN|ACK`, in the order Wireshark lists them. */
export function formatTcpFlags(flags: number): string {
  const names = (Object.keys(TCP_FLAGS) as (keyof typeof TCP_FLAGS)[]).filter((n) => flags & TCP_FLAGS[n]);
  return names.join('|') || 'none';
}

export interface TcpSegmentFields {
  readonly src: Endpoint;
  readonly dst: Endpoint;
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly window: number;
  /** Maximum Segment Size option, sent on SYN and SYN-ACK (RFC 793 §3.1, RFC 9293 §3.7.1). */
  readonly mss?: number;
  readonly payload: Uint8Array;
}

/** A TCP header and payload, checksum filled in over the IPv4 pseudo-header. */
export function encodeTcpSegment(f: TcpSegmentFields): Uint8Array {
  const headerLength = TCP_HEADER_LENGTH + (f.mss === undefined ? 0 : 4);
  const out = new Uint8Array(headerLength + f.payload.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, f.src.port);
  v.setUint16(2, f.dst.port);
  v.setUint32(4, f.seq >>> 0);
  v.setUint32(8, f.ack >>> 0);
  out[12] = (headerLength / 4) << 4; // data offset in 32-bit words
  out[13] = f.flags & 0xff;
  v.setUint16(14, f.window);
  if (f.mss !== undefined) {
    out[20] = OPTION_MSS;
    out[21] = 4;
    v.setUint16(22, f.mss);
  }
  out.set(f.payload, headerLength);
  v.setUint16(16, tcpChecksum(f.src.ip, f.dst.ip, out));
  return out;
}

/** RFC 793 §3.1: the checksum covers a pseudo-header (source, destination, zero, protocol, TCP length). */
export function tcpChecksum(srcIp: string, dstIp: string, segment: Uint8Array): number {
  const pseudo = new Uint8Array(12);
  pseudo.set(parseIpv4(srcIp), 0);
  pseudo.set(parseIpv4(dstIp), 4);
  pseudo[9] = IP_PROTOCOL_TCP;
  pseudo[10] = segment.length >>> 8;
  pseudo[11] = segment.length & 0xff;
  return internetChecksum(pseudo, segment);
}

export interface TcpHeader {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  readonly headerLength: number;
  readonly flags: number;
  readonly window: number;
  readonly checksum: number;
  readonly mss: number | undefined;
  readonly payload: Uint8Array;
}

/** Decode a TCP header (and its options, for MSS) at the start of `bytes`. */
export function decodeTcpHeader(bytes: Uint8Array, base: number): TcpHeader {
  const headerLength = checkTcpHeader(bytes, 0, bytes.length, base);
  return {
    srcPort: (bytes[0]! << 8) | bytes[1]!,
    dstPort: (bytes[2]! << 8) | bytes[3]!,
    seq: readU32(bytes, 4),
    ack: readU32(bytes, 8),
    headerLength,
    flags: bytes[13]!,
    window: (bytes[14]! << 8) | bytes[15]!,
    checksum: (bytes[16]! << 8) | bytes[17]!,
    mss: findMss(bytes, TCP_HEADER_LENGTH, headerLength, base),
    payload: bytes.subarray(headerLength),
  };
}

/** Big-endian uint32 at `at`. */
export function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/**
 * The checks of `decodeTcpHeader` on the header at `bytes[start]`, the segment ending at `end`;
 * returns the header length. `base` is the file offset of `start`, for messages.
 */
export function checkTcpHeader(bytes: Uint8Array, start: number, end: number, base: number): number {
  const available = end - start;
  if (available < TCP_HEADER_LENGTH) throw malformed(`TCP header needs 20 bytes, ${available} remain`, base);
  const headerLength = (bytes[start + 12]! >>> 4) * 4;
  if (headerLength < TCP_HEADER_LENGTH) throw malformed(`TCP data offset ${headerLength / 4} < 5`, base + 12);
  if (headerLength > available)
    throw malformed(`TCP header of ${headerLength} bytes, ${available} remain`, base + 12);
  return headerLength;
}

/**
 * Walk the option list (RFC 793 §3.1: kind, or kind-length-data) in `bytes[from, to)` for an
 * MSS; `base` is the file offset of `bytes[0]`.
 */
export function findMss(bytes: Uint8Array, from: number, to: number, base: number): number | undefined {
  let mss: number | undefined;
  for (let i = from; i < to;) {
    const kind = bytes[i]!;
    if (kind === OPTION_END) break;
    if (kind === OPTION_NOP) {
      i++;
      continue;
    }
    const length = i + 1 < to ? bytes[i + 1]! : undefined;
    if (length === undefined || length < 2 || i + length > to)
      throw malformed(`TCP option ${kind} has length ${length ?? 'missing'}`, base + i);
    if (kind === OPTION_MSS && length === 4) mss = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    i += length;
  }
  return mss;
}

/** Which way bytes go on a connection; the client is the side that sent the SYN. */
export type TcpDirection = 'client-to-server' | 'server-to-client';
