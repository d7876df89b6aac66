import { parseIpv4 } from './ipv4.js';

export const ETHERNET_HEADER_LENGTH = 14;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
/** IEEE 802.1Q tag and 802.1ad (QinQ) outer tag: 4 bytes (TPID, TCI) before the real type. */
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;

/**
 * A deterministic MAC for an IPv4 host: 02:00 then the four address bytes. 0x02 in the first
 * octet sets the locally-administered bit and clears the group bit (IEEE 802 §8.2.2), so the
 * address is a valid unicast MAC no vendor owns, and Wireshark shows 10.0.0.1 as 02:00:0a:00:00:01.
 */
export function macFromIpv4(ip: string): Uint8Array {
  const mac = new Uint8Array(6);
  mac[0] = 0x02;
  mac.set(parseIpv4(ip), 2);
  return mac;
}

export function formatMac(mac: Uint8Array): string {
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Ethernet II header: destination, source, EtherType (IEEE 802.3 §3.1.1, type ≥ 0x0600). */
export function encodeEthernetHeader(dst: Uint8Array, src: Uint8Array, etherType: number): Uint8Array {
  if (dst.length !== 6 || src.length !== 6) throw new RangeError('a MAC address is 6 bytes');
  const out = new Uint8Array(ETHERNET_HEADER_LENGTH);
  out.set(dst, 0);
  out.set(src, 6);
  out[12] = etherType >>> 8;
  out[13] = etherType & 0xff;
  return out;
}
