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
  if (bytes.length < TCP_HEADER_LENGTH)
    throw malformed(`TCP header needs 20 bytes, ${bytes.length} remain`, base);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = (bytes[12]! >>> 4) * 4;
  if (headerLength < TCP_HEADER_LENGTH) throw malformed(`TCP data offset ${headerLength / 4} < 5`, base + 12);
  if (headerLength > bytes.length)
    throw malformed(`TCP header of ${headerLength} bytes, ${bytes.length} remain`, base + 12);
  return {
    srcPort: v.getUint16(0),
    dstPort: v.getUint16(2),
    seq: v.getUint32(4),
    ack: v.getUint32(8),
    headerLength,
    flags: bytes[13]!,
    window: v.getUint16(14),
    checksum: v.getUint16(16),
    mss: findMss(bytes.subarray(TCP_HEADER_LENGTH, headerLength), base + TCP_HEADER_LENGTH),
    payload: bytes.subarray(headerLength),
  };
}

/** Walk the option list (RFC 793 §3.1: kind, or kind-length-data) for an MSS. */
function findMss(options: Uint8Array, base: number): number | undefined {
  let mss: number | undefined;
  for (let i = 0; i < options.length;) {
    const kind = options[i]!;
    if (kind === OPTION_END) break;
    if (kind === OPTION_NOP) {
      i++;
      continue;
    }
    const length = options[i + 1];
    if (length === undefined || length < 2 || i + length > options.length)
      throw malformed(`TCP option ${kind} has length ${length ?? 'missing'}`, base + i);
    if (kind === OPTION_MSS && length === 4) mss = (options[i + 2]! << 8) | options[i + 3]!;
    i += length;
  }
  return mss;
}

/** Which way bytes go on a connection; the client is the side that sent the SYN. */
export type TcpDirection = 'client-to-server' | 'server-to-client';
