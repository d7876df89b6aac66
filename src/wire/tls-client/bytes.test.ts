import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { ByteReader, concat, toHex, u16, u24, vector } from './bytes.js';

const decodeError = (offset: number) => (e: unknown) =>
  isLabError(e, 'ERR_TLS_PROTOCOL') && e.details.alert === 'decode_error' && e.details.offset === offset;

test('ByteReader reads integers and bounded vectors, and names the offset of what is wrong', () => {
  const r = new ByteReader(Uint8Array.of(1, 0, 2, 0, 0, 3, 2, 0xaa, 0xbb, 9), 'Test');
  assert.equal(r.u8(), 1);
  assert.equal(r.u16(), 2);
  assert.equal(r.u24(), 3);
  assert.deepEqual(r.vector(1, 1, 4, 'v'), Uint8Array.of(0xaa, 0xbb));
  assert.throws(() => r.end(), decodeError(9));
  assert.throws(() => r.u16(), decodeError(9), 'truncated');
  // <2..4> refuses 5 and 1, before reading the body.
  assert.throws(
    () => new ByteReader(Uint8Array.of(5, 1, 2, 3, 4, 5), 'T').vector(1, 2, 4, 'v'),
    decodeError(0),
  );
  assert.throws(() => new ByteReader(Uint8Array.of(0, 1, 7), 'T').vector(2, 2, 4, 'v'), decodeError(0));
  assert.throws(() => new ByteReader(Uint8Array.of(0, 0, 9, 1), 'T').vector(3, 0, 100, 'v'), decodeError(3));
});

test('writers: big-endian integers and length-prefixed vectors', () => {
  assert.equal(toHex(u16(0x1234)), '1234');
  assert.equal(toHex(u24(0x123456)), '123456');
  assert.equal(toHex(vector(2, Uint8Array.of(7, 8))), '00020708');
  assert.equal(toHex(concat(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2))), '0102');
  assert.throws(() => vector(1, new Uint8Array(256)), RangeError);
});
