import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import {
  assertSlot,
  DATA_SIZE,
  dataAddress,
  locate,
  slotOffset,
  slotSize,
  ZONE_CODE,
  zoneAddress,
} from './zones.js';

test('data zone geometry: 8 × 36 + 416 + 7 × 72 = 1,208 bytes', () => {
  assert.equal(DATA_SIZE, 1208);
  assert.deepEqual(
    Array.from({ length: 16 }, (_, s) => slotSize(s)),
    [36, 36, 36, 36, 36, 36, 36, 36, 416, 72, 72, 72, 72, 72, 72, 72],
  );
  assert.equal(slotOffset(8), 288);
  assert.equal(slotOffset(9), 704);
  assert.throws(
    () => assertSlot(16),
    (e: unknown) => isLabError(e, 'ERR_SE_SLOT_INVALID'),
  );
  assert.throws(
    () => assertSlot(-1),
    (e: unknown) => isLabError(e, 'ERR_SE_SLOT_INVALID'),
  );
});

test('slot 8 has 13 blocks at (8<<3)|(block<<8): 0x0040 … 0x0C40', () => {
  for (let block = 0; block < 13; block++) {
    assert.equal(dataAddress(8, block), 0x40 + (block << 8));
    assert.deepEqual(locate(ZONE_CODE.data, dataAddress(8, block), 32), {
      zone: 'data',
      slot: 8,
      offset: block * 32,
      size: 32,
      span: 32,
    });
  }
  assert.equal(locate(ZONE_CODE.data, dataAddress(8, 13), 32), null);
  assert.equal(locate(ZONE_CODE.data, dataAddress(8, 12, 7), 4)?.offset, 412);
});

test('36- and 72-byte slots: the partial last block is valid for 32-byte access, word access stops at the end', () => {
  assert.equal(locate(ZONE_CODE.data, dataAddress(0, 1, 0), 4)?.offset, 32);
  assert.equal(locate(ZONE_CODE.data, dataAddress(0, 1, 1), 4), null);
  assert.equal(locate(ZONE_CODE.data, dataAddress(0, 1), 32)?.span, 4);
  assert.equal(locate(ZONE_CODE.data, dataAddress(0, 2), 32), null);
  assert.equal(locate(ZONE_CODE.data, dataAddress(10, 2, 1), 4)?.offset, 68);
  assert.equal(locate(ZONE_CODE.data, dataAddress(10, 2, 2), 4), null);
  // A 32-byte access ignores the word bits.
  assert.deepEqual(locate(ZONE_CODE.data, dataAddress(10, 2, 1), 32), {
    zone: 'data',
    slot: 10,
    offset: 64,
    size: 32,
    span: 8,
  });
});

test('config and OTP addresses use 5 and 4 bits; zone 3 does not exist', () => {
  assert.equal(locate(ZONE_CODE.config, zoneAddress(3, 7), 4)?.offset, 124);
  assert.equal(locate(ZONE_CODE.config, zoneAddress(2), 32)?.offset, 64);
  assert.equal(locate(ZONE_CODE.config, 0xffe0 | zoneAddress(1, 1), 4)?.offset, 36, 'upper bits unused');
  assert.equal(locate(ZONE_CODE.otp, zoneAddress(1, 7), 4)?.offset, 60);
  assert.equal(locate(ZONE_CODE.otp, zoneAddress(2), 32)?.offset, 0, 'block bit 4 unused for OTP');
  assert.equal(locate(3, 0, 4), null);
});
