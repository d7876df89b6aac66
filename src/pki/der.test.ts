import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DerError, readTlv, splitSigned } from './der.js';

test('reads short and long form lengths', () => {
  const short = readTlv(Uint8Array.from([0x04, 0x02, 0xaa, 0xbb]));
  assert.deepEqual([...short.value], [0xaa, 0xbb]);
  const long = new Uint8Array(3 + 200);
  long.set([0x04, 0x81, 200]);
  assert.equal(readTlv(long).value.length, 200);
});

test('rejects indefinite, oversized and truncated lengths', () => {
  assert.throws(() => readTlv(Uint8Array.from([0x30, 0x80, 0, 0])), DerError);
  assert.throws(() => readTlv(Uint8Array.from([0x30, 0x85, 1, 1, 1, 1, 1])), DerError);
  assert.throws(() => readTlv(Uint8Array.from([0x30, 0x05, 1])), DerError);
  assert.throws(() => readTlv(Uint8Array.from([0x30])), DerError);
});

test('splitSigned rejects trailing bytes and non-signed shapes', () => {
  const signed = Uint8Array.from([0x30, 0x0a, 0x30, 0x00, 0x30, 0x02, 0x05, 0x00, 0x03, 0x02, 0x00, 0x55]);
  const parts = splitSigned(signed);
  assert.deepEqual([...parts.tbs], [0x30, 0x00]);
  assert.deepEqual([...parts.signature], [0x55]);
  assert.throws(() => splitSigned(Uint8Array.from([...signed, 0])), DerError);
  assert.throws(() => splitSigned(Uint8Array.from([0x30, 0x02, 0x30, 0x00])), DerError);
});

test('random buffers never escape as anything but DerError', () => {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let i = 0; i < 5000; i++) {
    const buf = Uint8Array.from({ length: next() % 40 }, () => next() & 0xff);
    if (buf.length > 0 && i % 2 === 0) buf[0] = 0x30;
    try {
      splitSigned(buf);
    } catch (e) {
      assert.ok(e instanceof DerError, String(e));
    }
  }
});
