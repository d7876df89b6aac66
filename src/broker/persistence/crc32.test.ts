import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 } from './crc32.js';

test('crc32 matches the standard check value and known strings', () => {
  // The CRC-32 "check" value: CRC of the ASCII digits 123456789.
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(Buffer.alloc(0)), 0);
  assert.equal(crc32(Buffer.from('The quick brown fox jumps over the lazy dog')), 0x414fa339);
});

test('crc32 over a sub-range equals crc32 of the slice', () => {
  const b = Buffer.from('xx123456789yy');
  assert.equal(crc32(b, 2, 11), 0xcbf43926);
});
