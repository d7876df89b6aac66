import { LabError } from '../../../core/errors.js';
import { malformed } from '../cursor.js';
import { ETHERNET_HEADER_LENGTH, ETHERTYPE_IPV4, ETHERTYPE_QINQ, ETHERTYPE_VLAN } from './ethernet.js';
import { checkIpv4Header, formatIpv4, IP_PROTOCOL_TCP } from './ipv4.js';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_RAW,
} from './link.js';
import { checkTcpHeader, type Endpoint, findMss, readU32, TCP_HEADER_LENGTH } from './tcp.js';

/** One TCP segment out of a captured frame. */
export interface TcpSegment {
  /** Index of the frame in the capture. */
  readonly packetIndex: number;
  readonly timestampUs: number;
  readonly src: Endpoint;
  readonly dst: Endpoint;
  readonly seq: number;
  readonly ack: number;
  /** TCP_FLAGS bits. */
  readonly flags: number;
  readonly window: number;
  readonly mss: number | undefined;
  readonly payload: Uint8Array;
  /** The capture cut the frame (snap length): `payload` is only the start of what was sent. */
  readonly truncated: boolean;
}

/** What the frame decoder needs of a packet (a CapturedPacket has it all). */
export interface FrameInput {
  readonly linkType: number;
  readonly data: Uint8Array;
  readonly timestampUs: number;
  readonly originalLength?: number;
  readonly fileOffset?: number;
}

const SLL_HEADER_LENGTH = 16;
const SLL2_HEADER_LENGTH = 20;
const MAX_VLAN_TAGS = 2;

/** Where a frame's TCP segment lies in the bytes it was read from (absolute offsets). */
export interface TcpLocation {
  /** IPv4 header. */
  ip: number;
  /** TCP header. */
  tcp: number;
  headerLength: number;
  /** End of the segment: Total Length's end, or the end of the captured bytes when cut. */
  end: number;
  truncated: boolean;
  mss: number | undefined;
}

/** A location to fill again and again (the scan of a whole file needs no object per frame). */
export const newTcpLocation = (): TcpLocation => ({
  ip: 0,
  tcp: 0,
  headerLength: 0,
  end: 0,
  truncated: false,
  mss: undefined,
});

/**
 * Link layer → IPv4 → TCP. Returns null for frames that are valid but not IPv4/TCP (ARP, IPv6,
 * UDP, IP fragments: the decoder does not reassemble IP), throws ERR_PCAP_MALFORMED for headers
 * that contradict their own lengths, ERR_PCAP_UNSUPPORTED for a link type it cannot read.
 * Headers are read in place (decodeIpv4 and decodeTcpHeader make the same checks): one frame
 * costs one segment object and one view of its payload.
 */
export function decodeTcpFrame(packet: FrameInput, packetIndex = 0): TcpSegment | null {
  const data = packet.data;
  const at = newTcpLocation();
  const cut = (packet.originalLength ?? data.length) > data.length;
  if (!locateTcp(data, 0, data.length, packet.linkType, cut, packet.fileOffset ?? 0, packetIndex, at))
    return null;
  const { ip, tcp } = at;
  return {
    packetIndex,
    timestampUs: packet.timestampUs,
    src: endpointAt(data, ip + 12, (data[tcp]! << 8) | data[tcp + 1]!),
    dst: endpointAt(data, ip + 16, (data[tcp + 2]! << 8) | data[tcp + 3]!),
    seq: readU32(data, tcp + 4),
    ack: readU32(data, tcp + 8),
    flags: data[tcp + 13]!,
    window: (data[tcp + 14]! << 8) | data[tcp + 15]!,
    mss: at.mss,
    payload: data.subarray(tcp + at.headerLength, at.end),
    truncated: at.truncated,
  };
}

/**
 * `decodeTcpFrame`'s checks on the frame `bytes[start, end)` (`cut`: the snap length shortened
 * it), without building anything: fills `out` and returns true for a TCP segment, false for any
 * other valid frame; throws as `decodeTcpFrame` does. `fileOffset` is where `start` lies in the
 * file, for messages.
 */
export function locateTcp(
  bytes: Uint8Array,
  start: number,
  end: number,
  linkType: number,
  cut: boolean,
  fileOffset: number,
  packetIndex: number,
  out: TcpLocation,
): boolean {
  const shift = fileOffset - start; // file offset of bytes[p] is p + shift
  const ip = ipv4Start(linkType, bytes, start, end, fileOffset, cut, packetIndex);
  if (ip === null) return false;
  const totalLength = checkIpv4Header(bytes, ip, ip + shift, cut, end);
  const flags = (bytes[ip + 6]! << 8) | bytes[ip + 7]!;
  // RFC 791 §3.1: MF set or a non-zero fragment offset is a fragment, not reassembled here.
  if (bytes[ip + 9] !== IP_PROTOCOL_TCP || (flags & 0x3fff) !== 0) return false;
  const truncated = ip + totalLength > end;
  const tcp = ip + (bytes[ip]! & 0x0f) * 4;
  const stop = truncated ? end : ip + totalLength;
  if (truncated && stop - tcp < TCP_HEADER_LENGTH) return false;
  const headerLength = checkTcpHeader(bytes, tcp, stop, tcp + shift);
  out.ip = ip;
  out.tcp = tcp;
  out.headerLength = headerLength;
  out.end = stop;
  out.truncated = truncated;
  out.mss =
    headerLength > TCP_HEADER_LENGTH
      ? findMss(bytes, tcp + TCP_HEADER_LENGTH, tcp + headerLength, shift)
      : undefined;
  return true;
}

/**
 * Endpoints are shared, frozen objects: a capture names few of them, and one object per distinct
 * address and port (instead of two objects and two strings per frame) is what keeps a large
 * capture's segments small. Bounded: the table starts over when it is full.
 */
const ENDPOINTS_MAX = 1 << 16;
const endpoints = new Map<number, Endpoint>();

export function endpointAt(data: Uint8Array, at: number, port: number): Endpoint {
  const key = readU32(data, at) * 0x10000 + port;
  let e = endpoints.get(key);
  if (e === undefined) {
    if (endpoints.size >= ENDPOINTS_MAX) endpoints.clear();
    e = Object.freeze({ ip: formatIpv4(data, at), port });
    endpoints.set(key, e);
  }
  return e;
}

/** Every TCP segment of a capture, in capture order; other frames are skipped. */
export function tcpSegments(packets: readonly FrameInput[]): TcpSegment[] {
  const out: TcpSegment[] = [];
  packets.forEach((p, i) => {
    const s = decodeTcpFrame(p, i);
    if (s !== null) out.push(s);
  });
  return out;
}

/** Offset of the IPv4 header in `bytes` (the frame is [start, end)), or null when it carries something else. */
function ipv4Start(
  linkType: number,
  bytes: Uint8Array,
  start: number,
  end: number,
  base: number,
  cut: boolean,
  index: number,
): number | null {
  const length = end - start;
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (!has(length, ETHERNET_HEADER_LENGTH, 'Ethernet header', base, cut, index)) return null;
      let at = 12;
      let type = u16(bytes, start + at);
      // IEEE 802.1Q/802.1ad tags: skip TPID+TCI, a bounded number of times.
      for (
        let tags = 0;
        (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ) && tags < MAX_VLAN_TAGS;
        tags++
      ) {
        at += 4;
        if (!has(length, at + 2, 'VLAN tag', base, cut, index)) return null;
        type = u16(bytes, start + at);
      }
      return type === ETHERTYPE_IPV4 ? start + at + 2 : null;
    }
    case LINKTYPE_LINUX_SLL:
      // SLL: packet type, ARPHRD type, address length, 8 address bytes, protocol (big-endian).
      if (!has(length, SLL_HEADER_LENGTH, 'Linux cooked (SLL) header', base, cut, index)) return null;
      return u16(bytes, start + 14) === ETHERTYPE_IPV4 ? start + SLL_HEADER_LENGTH : null;
    case LINKTYPE_LINUX_SLL2:
      // SLL2: protocol first, then reserved, interface index, ARPHRD, packet type, address.
      if (!has(length, SLL2_HEADER_LENGTH, 'Linux cooked (SLL2) header', base, cut, index)) return null;
      return u16(bytes, start) === ETHERTYPE_IPV4 ? start + SLL2_HEADER_LENGTH : null;
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4: {
      if (!has(length, 1, 'IP header', base, cut, index)) return null;
      const version = bytes[start]! >>> 4;
      if (version === 4) return start;
      if (version === 6 && linkType === LINKTYPE_RAW) return null;
      throw malformed(`IP version ${version} on a raw-IP link`, base, { packet: index });
    }
    default:
      throw new LabError('ERR_PCAP_UNSUPPORTED', `link type ${linkType} (frame ${index}) is not decoded`, {
        details: { linkType, packet: index },
      });
  }
}

/** The frame holds `n` bytes; a frame the snap length cut short is skipped, any other is damaged. */
function has(length: number, n: number, what: string, base: number, cut: boolean, index: number): boolean {
  if (length >= n) return true;
  if (cut) return false;
  throw malformed(`${what} needs ${n} bytes, frame ${index} has ${length}`, base, { packet: index });
}

const u16 = (data: Uint8Array, at: number) => (data[at]! << 8) | data[at + 1]!;
