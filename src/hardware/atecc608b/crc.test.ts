import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc16, crc16Le, hasValidCrc } from './crc.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

test('CRC-16 matches the vectors computed with CryptoAuthLib atCRC (reference §3.5)', () => {
  const vectors: Array<[string, string]> = [
    ['04 11', '33 43'], // the wake response
    ['04 00', '03 40'],
    ['04 0F', '23 42'],
    ['04 03', '83 42'],
    ['04 FF', '01 42'],
    ['04 01', '00 C3'],
    ['04 EE', '31 41'],
  ];
  for (const [data, crc] of vectors) assert.deepEqual(crc16Le(hex(data)), hex(crc), data);
  assert.equal(crc16(Buffer.from('123456789', 'ascii')), 0xbcdd);
  assert.deepEqual(crc16Le(Buffer.from('123456789', 'ascii')), hex('DD BC'));
});

test('the ready-made packets of reference §3.9 carry valid CRCs', () => {
  for (const packet of [
    '07 30 00 00 00 03 5D',
    '07 02 80 00 00 09 AD',
    '07 02 82 40 00 09 A4',
    '07 02 82 40 0C A9 A4',
    '07 02 82 00 00 0A 28',
    '07 1B 00 00 00 24 CD',
    '07 40 00 00 00 00 05',
    '07 17 22 00 00 7E 08',
    '07 00 00 60 03 83 BB',
  ])
    assert.ok(hasValidCrc(hex(packet)), packet);
  assert.ok(!hasValidCrc(hex('07 30 00 00 00 03 5E')));
  assert.ok(!hasValidCrc(hex('07')));
  assert.equal(crc16(new Uint8Array(0)), 0);
});
