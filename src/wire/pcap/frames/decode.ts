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

/**
 * Link layer → IPv4 → TCP. Returns null for frames that are valid but not IPv4/TCP (ARP, IPv6,
 * UDP, IP fragments: the decoder does not reassemble IP), throws ERR_PCAP_MALFORMED for headers
 * that contradict their own lengths, ERR_PCAP_UNSUPPORTED for a link type it cannot read.
 * Headers are read in place (decodeIpv4 and decodeTcpHeader make the same checks): one frame
 * costs one segment object and one view of its payload.
 */
export function decodeTcpFrame(packet: FrameInput, packetIndex = 0): TcpSegment | null {
  const data = packet.data;
  const base = packet.fileOffset ?? 0;
  const cut = (packet.originalLength ?? data.length) > data.length;
  const ip = ipv4Start(packet.linkType, data, base, cut, packetIndex);
  if (ip === null) return null;
  const totalLength = checkIpv4Header(data, ip, base + ip, cut);
  const flags = (data[ip + 6]! << 8) | data[ip + 7]!;
  // RFC 791 §3.1: MF set or a non-zero fragment offset is a fragment, not reassembled here.
  if (data[ip + 9] !== IP_PROTOCOL_TCP || (flags & 0x3fff) !== 0) return null;
  const truncated = ip + totalLength > data.length;
  const tcp = ip + (data[ip]! & 0x0f) * 4;
  const end = truncated ? data.length : ip + totalLength;
  if (truncated && end - tcp < TCP_HEADER_LENGTH) return null;
  const headerLength = checkTcpHeader(data, tcp, end, base + tcp);
  return {
    packetIndex,
    timestampUs: packet.timestampUs,
    src: endpoint(data, ip + 12, (data[tcp]! << 8) | data[tcp + 1]!),
    dst: endpoint(data, ip + 16, (data[tcp + 2]! << 8) | data[tcp + 3]!),
    seq: readU32(data, tcp + 4),
    ack: readU32(data, tcp + 8),
    flags: data[tcp + 13]!,
    window: (data[tcp + 14]! << 8) | data[tcp + 15]!,
    mss:
      headerLength > TCP_HEADER_LENGTH
        ? findMss(data, tcp + TCP_HEADER_LENGTH, tcp + headerLength, base)
        : undefined,
    payload: data.subarray(tcp + headerLength, end),
    truncated,
  };
}

/**
 * Endpoints are shared, frozen objects: a capture names few of them, and one object per distinct
 * address and port (instead of two objects and two strings per frame) is what keeps a large
 * capture's segments small. Bounded: the table starts over when it is full.
 */
const ENDPOINTS_MAX = 1 << 16;
const endpoints = new Map<number, Endpoint>();

function endpoint(data: Uint8Array, at: number, port: number): Endpoint {
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

/** Offset of the IPv4 header in the frame, or null when the frame carries something else. */
function ipv4Start(
  linkType: number,
  data: Uint8Array,
  base: number,
  cut: boolean,
  index: number,
): number | null {
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (!has(data, ETHERNET_HEADER_LENGTH, 'Ethernet header', base, cut, index)) return null;
      let at = 12;
      let type = u16(data, at);
      // IEEE 802.1Q/802.1ad tags: skip TPID+TCI, a bounded number of times.
      for (
        let tags = 0;
        (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ) && tags < MAX_VLAN_TAGS;
        tags++
      ) {
        at += 4;
        if (!has(data, at + 2, 'VLAN tag', base, cut, index)) return null;
        type = u16(data, at);
      }
      return type === ETHERTYPE_IPV4 ? at + 2 : null;
    }
    case LINKTYPE_LINUX_SLL:
      // SLL: packet type, ARPHRD type, address length, 8 address bytes, protocol (big-endian).
      if (!has(data, SLL_HEADER_LENGTH, 'Linux cooked (SLL) header', base, cut, index)) return null;
      return u16(data, 14) === ETHERTYPE_IPV4 ? SLL_HEADER_LENGTH : null;
    case LINKTYPE_LINUX_SLL2:
      // SLL2: protocol first, then reserved, interface index, ARPHRD, packet type, address.
      if (!has(data, SLL2_HEADER_LENGTH, 'Linux cooked (SLL2) header', base, cut, index)) return null;
      return u16(data, 0) === ETHERTYPE_IPV4 ? SLL2_HEADER_LENGTH : null;
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4: {
      if (!has(data, 1, 'IP header', base, cut, index)) return null;
      const version = data[0]! >>> 4;
      if (version === 4) return 0;
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
function has(data: Uint8Array, n: number, what: string, base: number, cut: boolean, index: number): boolean {
  if (data.length >= n) return true;
  if (cut) return false;
  throw malformed(`${what} needs ${n} bytes, frame ${index} has ${data.length}`, base, { packet: index });
}

const u16 = (data: Uint8Array, at: number) => (data[at]! << 8) | data[at + 1]!;
