import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../../core/errors.js';
import { decodeTcpFrame, tcpSegments } from './decode.js';
import { encodeEthernetHeader, ETHERTYPE_IPV4, macFromIpv4 } from './ethernet.js';
import { encodeIpv4Header } from './ipv4.js';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_RAW,
} from './link.js';
import { encodeTcpSegment, TCP_FLAGS } from './tcp.js';

const src = { ip: '10.0.0.2', port: 50000 };
const dst = { ip: '10.0.0.1', port: 8883 };
const payload = Uint8Array.of(0x16, 0x03, 0x01);

function ipDatagram(protocol = 6, flagsOffset?: number): Uint8Array {
  const tcp = encodeTcpSegment({
    src,
    dst,
    seq: 100,
    ack: 200,
    flags: TCP_FLAGS.PSH | TCP_FLAGS.ACK,
    window: 512,
    payload,
  });
  const ip = encodeIpv4Header({ src: src.ip, dst: dst.ip, protocol, id: 1, payloadLength: tcp.length });
  if (flagsOffset !== undefined) {
    ip[6] = flagsOffset >>> 8;
    ip[7] = flagsOffset & 0xff;
  }
  return Buffer.concat([ip, tcp]);
}
const ether = (type: number, body: Uint8Array) =>
  Buffer.concat([encodeEthernetHeader(macFromIpv4(dst.ip), macFromIpv4(src.ip), type), body]);
const frame = (linkType: number, data: Uint8Array, originalLength = data.length) => ({
  linkType,
  data,
  originalLength,
  timestampUs: 42,
});

function assertSegment(s: ReturnType<typeof decodeTcpFrame>) {
  assert.ok(s !== null);
  assert.deepEqual(s.src, src);
  assert.deepEqual(s.dst, dst);
  assert.deepEqual(
    [s.seq, s.ack, s.flags, s.window, s.timestampUs, [...s.payload]],
    [100, 200, 0x18, 512, 42, [...payload]],
  );
  assert.equal(s.truncated, false);
}

test('Ethernet II → IPv4 → TCP, with 0, 1 and 2 VLAN tags, and with Ethernet padding after the datagram', () => {
  assertSegment(decodeTcpFrame(frame(LINKTYPE_ETHERNET, ether(ETHERTYPE_IPV4, ipDatagram()))));
  const oneTag = Buffer.concat([
    ether(0x8100, new Uint8Array(0)).subarray(0, 14),
    Uint8Array.of(0, 5, 8, 0),
    ipDatagram(),
  ]);
  assertSegment(decodeTcpFrame(frame(LINKTYPE_ETHERNET, oneTag)));
  const twoTags = Buffer.concat([
    ether(0x88a8, new Uint8Array(0)).subarray(0, 14),
    Uint8Array.of(0, 5, 0x81, 0, 0, 6, 8, 0),
    ipDatagram(),
  ]);
  assertSegment(decodeTcpFrame(frame(LINKTYPE_ETHERNET, twoTags)));
  assertSegment(
    decodeTcpFrame(
      frame(LINKTYPE_ETHERNET, Buffer.concat([ether(ETHERTYPE_IPV4, ipDatagram()), new Uint8Array(6)])),
    ),
  );
});

test('Linux cooked SLL and SLL2, raw IP (101) and IPv4 (228) link types', () => {
  const sll = new Uint8Array(16);
  sll[14] = 0x08;
  assertSegment(decodeTcpFrame(frame(LINKTYPE_LINUX_SLL, Buffer.concat([sll, ipDatagram()]))));
  const sll2 = new Uint8Array(20);
  sll2[0] = 0x08;
  assertSegment(decodeTcpFrame(frame(LINKTYPE_LINUX_SLL2, Buffer.concat([sll2, ipDatagram()]))));
  assertSegment(decodeTcpFrame(frame(LINKTYPE_RAW, ipDatagram())));
  assertSegment(decodeTcpFrame(frame(LINKTYPE_IPV4, ipDatagram())));
});

test('frames that are valid but not IPv4/TCP are skipped (null): ARP, IPv6, UDP, fragments, 802.3', () => {
  assert.equal(decodeTcpFrame(frame(LINKTYPE_ETHERNET, ether(0x0806, new Uint8Array(28)))), null);
  assert.equal(decodeTcpFrame(frame(LINKTYPE_ETHERNET, ether(0x86dd, new Uint8Array(40)))), null);
  assert.equal(decodeTcpFrame(frame(LINKTYPE_ETHERNET, ether(0x0040, new Uint8Array(40)))), null);
  assert.equal(decodeTcpFrame(frame(LINKTYPE_RAW, Uint8Array.of(0x60, ...new Uint8Array(39)))), null);
  assert.equal(decodeTcpFrame(frame(LINKTYPE_IPV4, ipDatagram(17))), null);
  assert.equal(decodeTcpFrame(frame(LINKTYPE_IPV4, ipDatagram(6, 0x2000))), null, 'more fragments');
  assert.equal(decodeTcpFrame(frame(LINKTYPE_IPV4, ipDatagram(6, 0x0003))), null, 'offset ≠ 0');
  const sll = new Uint8Array(16);
  sll[14] = 0x86;
  sll[15] = 0xdd;
  assert.equal(decodeTcpFrame(frame(LINKTYPE_LINUX_SLL, sll)), null);
});

test('unknown link types and IPv6-only links are ERR_PCAP_UNSUPPORTED', () => {
  for (const linkType of [0, 105, 127, LINKTYPE_IPV6])
    assert.throws(
      () => decodeTcpFrame(frame(linkType, ipDatagram()), 3),
      (e) =>
        isLabError(e, 'ERR_PCAP_UNSUPPORTED') && e.details.linkType === linkType && e.details.packet === 3,
    );
});

test('a frame cut by the snap length decodes with a truncated payload; one cut inside the headers is skipped', () => {
  const full = ether(ETHERTYPE_IPV4, ipDatagram());
  const s = decodeTcpFrame(frame(LINKTYPE_ETHERNET, full.subarray(0, full.length - 2), full.length));
  assert.ok(s !== null);
  assert.equal(s.truncated, true);
  assert.deepEqual([...s.payload], [0x16]);
  assert.equal(decodeTcpFrame(frame(LINKTYPE_ETHERNET, full.subarray(0, 40), full.length)), null);
  assert.equal(decodeTcpFrame(frame(LINKTYPE_ETHERNET, full.subarray(0, 10), full.length)), null);
});

test('short or inconsistent headers without a snap-length cut are ERR_PCAP_MALFORMED', () => {
  const full = ether(ETHERTYPE_IPV4, ipDatagram());
  for (const data of [
    full.subarray(0, 10),
    full.subarray(0, 40),
    full.subarray(0, full.length - 1),
    new Uint8Array(0),
  ])
    assert.throws(
      () => decodeTcpFrame({ ...frame(LINKTYPE_ETHERNET, data), fileOffset: 1000 }),
      (e) => isLabError(e, 'ERR_PCAP_MALFORMED') && (e.details.offset as number) >= 1000,
    );
  assert.throws(
    () => decodeTcpFrame(frame(LINKTYPE_RAW, Uint8Array.of(0x50))),
    (e) => isLabError(e, 'ERR_PCAP_MALFORMED'),
  );
  assert.throws(
    () => decodeTcpFrame(frame(LINKTYPE_LINUX_SLL2, new Uint8Array(19))),
    (e) => isLabError(e, 'ERR_PCAP_MALFORMED'),
  );
});

test('tcpSegments keeps TCP frames in order with their packet index', () => {
  const tcp = frame(LINKTYPE_IPV4, ipDatagram());
  const udp = frame(LINKTYPE_IPV4, ipDatagram(17));
  assert.deepEqual(
    tcpSegments([udp, tcp, udp, tcp]).map((s) => s.packetIndex),
    [1, 3],
  );
});
