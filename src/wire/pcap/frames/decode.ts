import { LabError } from '../../../core/errors.js';
import { malformed } from '../cursor.js';
import { ETHERNET_HEADER_LENGTH, ETHERTYPE_IPV4, ETHERTYPE_QINQ, ETHERTYPE_VLAN } from './ethernet.js';
import { decodeIpv4, IP_PROTOCOL_TCP } from './ipv4.js';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_RAW,
} from './link.js';
import { decodeTcpHeader, type Endpoint, TCP_HEADER_LENGTH } from './tcp.js';

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
 */
export function decodeTcpFrame(packet: FrameInput, packetIndex = 0): TcpSegment | null {
  const base = packet.fileOffset ?? 0;
  const cut = (packet.originalLength ?? packet.data.length) > packet.data.length;
  const ipStart = ipv4Start(packet.linkType, packet.data, base, cut, packetIndex);
  if (ipStart === null) return null;
  const ip = decodeIpv4(packet.data.subarray(ipStart), base + ipStart, cut);
  if (ip.protocol !== IP_PROTOCOL_TCP || ip.moreFragments || ip.fragmentOffset !== 0) return null;
  const tcpStart = base + ipStart + ip.headerLength;
  if (ip.truncated && ip.payload.length < TCP_HEADER_LENGTH) return null;
  const tcp = decodeTcpHeader(ip.payload, tcpStart);
  return {
    packetIndex,
    timestampUs: packet.timestampUs,
    src: { ip: ip.src, port: tcp.srcPort },
    dst: { ip: ip.dst, port: tcp.dstPort },
    seq: tcp.seq,
    ack: tcp.ack,
    flags: tcp.flags,
    window: tcp.window,
    mss: tcp.mss,
    payload: tcp.payload,
    truncated: ip.truncated,
  };
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
  const need = (n: number, what: string): boolean => {
    if (data.length >= n) return true;
    if (cut) return false;
    throw malformed(`${what} needs ${n} bytes, frame ${index} has ${data.length}`, base, { packet: index });
  };
  const u16 = (at: number) => (data[at]! << 8) | data[at + 1]!;
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (!need(ETHERNET_HEADER_LENGTH, 'Ethernet header')) return null;
      let at = 12;
      let type = u16(at);
      // IEEE 802.1Q/802.1ad tags: skip TPID+TCI, a bounded number of times.
      for (
        let tags = 0;
        (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ) && tags < MAX_VLAN_TAGS;
        tags++
      ) {
        at += 4;
        if (!need(at + 2, 'VLAN tag')) return null;
        type = u16(at);
      }
      return type === ETHERTYPE_IPV4 ? at + 2 : null;
    }
    case LINKTYPE_LINUX_SLL:
      // SLL: packet type, ARPHRD type, address length, 8 address bytes, protocol (big-endian).
      if (!need(SLL_HEADER_LENGTH, 'Linux cooked (SLL) header')) return null;
      return u16(14) === ETHERTYPE_IPV4 ? SLL_HEADER_LENGTH : null;
    case LINKTYPE_LINUX_SLL2:
      // SLL2: protocol first, then reserved, interface index, ARPHRD, packet type, address.
      if (!need(SLL2_HEADER_LENGTH, 'Linux cooked (SLL2) header')) return null;
      return u16(0) === ETHERTYPE_IPV4 ? SLL2_HEADER_LENGTH : null;
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4: {
      if (!need(1, 'IP header')) return null;
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
