import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../../core/errors.js';
import { decodeTcpHeader, encodeTcpSegment, formatTcpFlags, TCP_FLAGS, tcpChecksum } from './tcp.js';

const client = { ip: '10.0.0.2', port: 50000 };
const server = { ip: '10.0.0.1', port: 1883 };

test('SYN with MSS option, golden bytes (checksum worked independently over the pseudo-header)', () => {
  const syn = encodeTcpSegment({
    src: client,
    dst: server,
    seq: 0x01020304,
    ack: 0,
    flags: TCP_FLAGS.SYN,
    window: 65535,
    mss: 1460,
    payload: new Uint8Array(0),
  });
  assert.equal(Buffer.from(syn).toString('hex'), 'c350075b01020304000000006002ffffb5720000020405b4');
});

test('data segment: odd payload length, sequence number near the wrap', () => {
  const seg = encodeTcpSegment({
    src: client,
    dst: server,
    seq: 0xfffffffe,
    ack: 0x0a0b0c0d,
    flags: TCP_FLAGS.PSH | TCP_FLAGS.ACK,
    window: 65535,
    payload: new TextEncoder().encode('hello'),
  });
  assert.equal((seg[16]! << 8) | seg[17]!, 0x7730);
  // A segment with its checksum in place checks to zero.
  assert.equal(tcpChecksum(client.ip, server.ip, seg), 0);
});

test('decode: ports, numbers, flags, window, MSS among NOPs, payload', () => {
  const seg = encodeTcpSegment({
    src: server,
    dst: client,
    seq: 7,
    ack: 0xffffffff,
    flags: TCP_FLAGS.SYN | TCP_FLAGS.ACK,
    window: 1024,
    mss: 536,
    payload: Uint8Array.of(9, 8),
  });
  const h = decodeTcpHeader(seg, 0);
  assert.deepEqual(
    [h.srcPort, h.dstPort, h.seq, h.ack, h.headerLength, h.flags, h.window, h.mss, [...h.payload]],
    [1883, 50000, 7, 0xffffffff, 24, 0x12, 1024, 536, [9, 8]],
  );
  const withNops = Uint8Array.from([...seg.subarray(0, 20), 1, 1, 2, 4, 0x05, 0xb4, 0, 0]);
  withNops[12] = 7 << 4;
  assert.equal(decodeTcpHeader(withNops, 0).mss, 1460);
});

test('decode: bad data offset and bad option lengths are ERR_PCAP_MALFORMED at their offset', () => {
  const seg = new Uint8Array(24);
  seg[12] = 4 << 4;
  assert.throws(
    () => decodeTcpHeader(seg, 10),
    (e) => isLabError(e, 'ERR_PCAP_MALFORMED') && e.details.offset === 22,
  );
  seg[12] = 7 << 4;
  assert.throws(
    () => decodeTcpHeader(seg, 10),
    (e) => isLabError(e, 'ERR_PCAP_MALFORMED') && e.details.offset === 22,
  );
  seg[12] = 6 << 4;
  seg.set([2, 9, 0, 0], 20); // MSS claiming 9 bytes
  assert.throws(
    () => decodeTcpHeader(seg, 10),
    (e) => isLabError(e, 'ERR_PCAP_MALFORMED') && e.details.offset === 30,
  );
  seg.set([2, 0, 0, 0], 20); // length 0 would loop forever
  assert.throws(
    () => decodeTcpHeader(seg, 10),
    (e) => isLabError(e, 'ERR_PCAP_MALFORMED'),
  );
  assert.throws(
    () => decodeTcpHeader(new Uint8Array(19), 0),
    (e) => isLabError(e, 'ERR_PCAP_MALFORMED'),
  );
});

test('flags format in Wireshark order', () => {
  assert.equal(formatTcpFlags(0x12), 'SYN|ACK');
  assert.equal(formatTcpFlags(0x19), 'FIN|PSH|ACK');
  assert.equal(formatTcpFlags(0), 'none');
});
