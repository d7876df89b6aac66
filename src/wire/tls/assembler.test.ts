import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HandshakeAssembler } from './assembler.js';
import { cat, fill, handshake, hex } from './golden.case.js';

test('the handshake header built by the tests is RFC 8446 §4 msg_type + uint24 length', () => {
  assert.deepEqual(handshake(14, new Uint8Array(0)), hex('0e 000000'));
  assert.deepEqual(handshake(20, fill(12, 0xaa)), hex(`14 00000c ${'aa'.repeat(12)}`));
});

test('a message spanning three records is reassembled, with the offset of its header', () => {
  const msg = handshake(11, fill(40, 7));
  const a = new HandshakeAssembler();
  assert.deepEqual(a.push(msg.subarray(0, 2), 5), []);
  assert.deepEqual(a.push(msg.subarray(2, 30), 12), []);
  const [m] = a.push(msg.subarray(30), 45);
  assert.equal(m?.msgType, 11);
  assert.equal(m?.offset, 5);
  assert.deepEqual(m?.body, fill(40, 7));
  assert.equal(a.pending, 0);
});

test('a record holding several messages yields them in order, offsets advancing', () => {
  const a = new HandshakeAssembler();
  const got = a.push(cat(handshake(12, fill(3, 1)), handshake(13, fill(5, 2)), handshake(14, hex(''))), 100);
  assert.deepEqual(
    got.map((m) => [m.msgType, m.offset, m.body.length]),
    [
      [12, 100, 3],
      [13, 107, 5],
      [14, 116, 0],
    ],
  );
});

test('a length past the limit fails on the header, before any body byte is kept', () => {
  const a = new HandshakeAssembler(1024);
  assert.deepEqual(a.push(cat(handshake(1, fill(8, 0)), hex('0b 000401')), 5), [
    { msgType: 1, offset: 5, body: fill(8, 0) },
  ]);
  assert.deepEqual(a.failed, {
    offset: 17,
    what: 'handshake message of 1025 bytes exceeds the 1024-byte reassembly limit',
  });
  assert.equal(a.pending, 0);
  assert.deepEqual(a.push(handshake(1, fill(8, 0)), 100), [], 'this direction is abandoned');
});

test('discard() drops a partial message and returns where it started', () => {
  const a = new HandshakeAssembler();
  a.push(cat(handshake(1, hex('')), hex('0b00')), 5);
  assert.equal(a.discard(), 9);
  assert.equal(a.discard(), undefined);
});

test('1-byte fragments of a 200 KiB message are joined once (linear, not quadratic)', () => {
  const msg = handshake(11, fill(200 * 1024, 3));
  const a = new HandshakeAssembler();
  const started = performance.now();
  let out: ReturnType<HandshakeAssembler['push']> = [];
  for (let i = 0; i < msg.length; i++) out = a.push(msg.subarray(i, i + 1), i);
  assert.equal(out[0]?.body.length, 200 * 1024);
  assert.ok(performance.now() - started < 5_000);
});
