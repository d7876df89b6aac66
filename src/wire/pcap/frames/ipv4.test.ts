import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../../core/errors.js';
import { onesComplementSum } from './checksum.js';
import { decodeIpv4, encodeIpv4Header, formatIpv4, isIpv4, parseIpv4 } from './ipv4.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

test('dotted quads parse, format and are validated', () => {
  assert.deepEqual([...parseIpv4('10.0.0.254')], [10, 0, 0, 254]);
  assert.equal(formatIpv4(Uint8Array.of(0, 127, 0, 0, 1), 1), '127.0.0.1');
  for (const bad of ['10.0.0', '10.0.0.1.2', '256.0.0.1', '01.0.0.1', ' 10.0.0.1', '::1', ''])
    assert.equal(isIpv4(bad), false, bad);
  assert.throws(() => parseIpv4('10.0.0'), RangeError);
});

test('IPv4 header golden bytes (checksum worked independently): id 0x1234, DF, TTL 64, TCP', () => {
  const h = encodeIpv4Header({
    src: '10.0.0.2',
    dst: '10.0.0.1',
    protocol: 6,
    id: 0x1234,
    payloadLength: 24,
  });
  assert.equal(Buffer.from(h).toString('hex'), '4500002c12344000400614960a0000020a000001');
  assert.equal(onesComplementSum([h]), 0xffff);
  const noDf = encodeIpv4Header({
    src: '1.2.3.4',
    dst: '5.6.7.8',
    protocol: 17,
    id: 0x10001,
    payloadLength: 0,
    ttl: 1,
    dontFragment: false,
  });
  assert.equal(noDf[6], 0);
  assert.equal(noDf[8], 1);
  assert.equal((noDf[4]! << 8) | noDf[5]!, 1, 'id wraps at 16 bits');
  assert.throws(
    () => encodeIpv4Header({ src: '1.2.3.4', dst: '5.6.7.8', protocol: 6, id: 0, payloadLength: 65516 }),
    RangeError,
  );
});

test('decode: fields, payload bounded by Total Length (Ethernet padding is not payload)', () => {
  const datagram = hex('4500 0018 abcd 2001 4006 0000 c0a8 0001 c0a8 00c7 deadbeef 0000');
  const p = decodeIpv4(datagram, 0, false);
  assert.equal(p.headerLength, 20);
  assert.equal(p.totalLength, 24);
  assert.equal(p.id, 0xabcd);
  assert.equal(p.moreFragments, true);
  assert.equal(p.dontFragment, false);
  assert.equal(p.fragmentOffset, 8);
  assert.equal(p.ttl, 64);
  assert.equal(p.protocol, 6);
  assert.equal(p.src, '192.168.0.1');
  assert.equal(p.dst, '192.168.0.199');
  assert.deepEqual([...p.payload], [0xde, 0xad, 0xbe, 0xef]);
  assert.equal(p.truncated, false);
});

test('decode: a datagram cut by the snap length is truncated, one cut otherwise is malformed', () => {
  const cut = hex('4500 0064 0000 4000 4006 0000 0a000001 0a000002 0102');
  const p = decodeIpv4(cut, 0, true);
  assert.equal(p.truncated, true);
  assert.deepEqual([...p.payload], [1, 2]);
  assert.throws(
    () => decodeIpv4(cut, 100, false),
    (e) => isLabError(e, 'ERR_PCAP_MALFORMED') && e.details.offset === 102,
  );
});

test('decode: malformed headers are ERR_PCAP_MALFORMED with the offset of the field', () => {
  const cases: [string, number][] = [
    ['4500 0014 0000', 50], // shorter than 20 bytes
    ['6000 0014 0000 0000 0000 0000 0000 0000 0000 0000', 50], // version 6
    ['4400 0014 0000 0000 0000 0000 0000 0000 0000 0000', 50], // IHL 4
    ['4500 0010 0000 0000 0000 0000 0000 0000 0000 0000', 52], // total length < header
    ['4f00 0040 0000 0000 0000 0000 0000 0000 0000 0000', 50], // IHL 15 past the data
  ];
  for (const [bytes, offset] of cases)
    assert.throws(
      () => decodeIpv4(hex(bytes), 50, false),
      (e) => isLabError(e, 'ERR_PCAP_MALFORMED') && e.details.offset === offset,
      bytes,
    );
});
