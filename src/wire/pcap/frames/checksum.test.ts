import assert from 'node:assert/strict';
import { test } from 'node:test';
import { internetChecksum, onesComplementSum } from './checksum.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

test('RFC 1071 §3 worked example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, checksum 220d', () => {
  const data = hex('0001 f203 f4f5 f6f7');
  assert.equal(onesComplementSum([data]), 0xddf2);
  assert.equal(internetChecksum(data), 0x220d);
});

test('an IPv4 header worked by hand: 4500 0073 0000 4000 4011 ____ c0a8 0001 c0a8 00c7 → b861', () => {
  const header = hex('4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7');
  assert.equal(internetChecksum(header), 0xb861);
  header[10] = 0xb8;
  header[11] = 0x61;
  assert.equal(onesComplementSum([header]), 0xffff, 'a correct header sums to all ones');
});

test('parts are summed as if concatenated, odd lengths included', () => {
  const whole = hex('0001 f203 f4f5 f6f7 ab');
  const expected = internetChecksum(whole);
  assert.equal(expected, internetChecksum(hex('00'), hex('01f2 03'), hex('f4f5f6'), hex('f7ab')));
  // An odd trailing byte is padded with a zero byte on the right (RFC 1071 §4.1).
  assert.equal(expected, internetChecksum(hex('0001 f203 f4f5 f6f7 ab00')));
});

test('empty input and all-ones input', () => {
  assert.equal(internetChecksum(), 0xffff);
  assert.equal(internetChecksum(new Uint8Array(0)), 0xffff);
  assert.equal(internetChecksum(new Uint8Array(100_000).fill(0xff)), 0x0000);
});

test('a part longer than 2^32 / 0xffff words is summed exactly (the carry is not cut to 32 bits)', () => {
  const big = new Uint8Array(262_144).fill(0xff);
  big[0] = 0x12;
  // 0x12ff + 131 071 × 0xffff: 0xffff is one's complement zero, so the sum is 0x12ff.
  assert.equal(onesComplementSum([big]), 0x12ff);
  big.fill(0x01);
  // 131 072 × 0x0101 = 0x2020000 → 0x0202 + 0x0000 = 0x0202 after folding.
  assert.equal(onesComplementSum([big]), 0x0202);
});
