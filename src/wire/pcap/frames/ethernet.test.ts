import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeEthernetHeader, ETHERTYPE_IPV4, formatMac, macFromIpv4 } from './ethernet.js';

test('a host MAC is 02:00 + its IPv4 address: locally administered, unicast, deterministic', () => {
  assert.equal(formatMac(macFromIpv4('10.0.0.1')), '02:00:0a:00:00:01');
  assert.equal(formatMac(macFromIpv4('127.0.0.2')), '02:00:7f:00:00:02');
  const first = macFromIpv4('192.168.1.20')[0]!;
  assert.equal(first & 0x02, 0x02, 'locally administered bit');
  assert.equal(first & 0x01, 0x00, 'group bit clear');
  assert.throws(() => macFromIpv4('10.0.0.256'), RangeError);
});

test('Ethernet II header golden bytes: destination, source, EtherType', () => {
  const h = encodeEthernetHeader(macFromIpv4('10.0.0.1'), macFromIpv4('10.0.0.2'), ETHERTYPE_IPV4);
  assert.equal(Buffer.from(h).toString('hex'), '02000a000001' + '02000a000002' + '0800');
  assert.throws(() => encodeEthernetHeader(new Uint8Array(5), new Uint8Array(6), 0x0800), RangeError);
});
