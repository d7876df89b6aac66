import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIB } from './format.js';
import { encodeOtaData, OTA_STATES, otaSelectCrc, readOtaData } from './otadata.js';
import { ARDUINO_DEFAULT_PARTITIONS, resolvePartitions } from './partition-table.js';

const parts = resolvePartitions(ARDUINO_DEFAULT_PARTITIONS, 4 * MIB);
const otadata = parts.find((p) => p.label === 'otadata')!;
const apps = parts.filter((p) => p.type === 0);

function flashWith(sectors: Uint8Array): Uint8Array {
  const flash = new Uint8Array(otadata.offset + otadata.size).fill(0xff);
  flash.set(sectors, otadata.offset);
  return flash;
}

test('the select-entry CRC is crc32_le(UINT32_MAX, ota_seq)', () => {
  // Python: zlib.crc32(struct.pack('<I', 1), 0xFFFFFFFF) == 0x4743989A
  assert.equal(otaSelectCrc(1), 0x4743989a);
  assert.notEqual(otaSelectCrc(2), otaSelectCrc(1));
});

test('boot_app0 layout: seq 1 in sector 0, the rest erased → app0 boots', () => {
  const bytes = encodeOtaData(0x2000);
  assert.deepEqual([...bytes.subarray(0, 4)], [1, 0, 0, 0]);
  assert.ok(
    bytes.subarray(4, 28).every((b) => b === 0xff),
    'seq_label and state (undefined) erased',
  );
  assert.deepEqual([...bytes.subarray(28, 32)], [0x9a, 0x98, 0x43, 0x47]);
  assert.ok(bytes.subarray(32).every((b) => b === 0xff));
  const r = readOtaData(flashWith(bytes), otadata, apps);
  assert.equal(r.bootPartition, 'app0');
  assert.deepEqual(
    r.entries.map((e) => e.valid),
    [true, false],
  );
});

test('the highest valid sequence wins; invalid or aborted entries and bad CRCs are skipped', () => {
  const two = new Uint8Array(0x2000).fill(0xff);
  two.set(encodeOtaData(0x1000, 1), 0);
  two.set(encodeOtaData(0x1000, 2), 0x1000);
  assert.equal(readOtaData(flashWith(two), otadata, apps).bootPartition, 'app1');
  const aborted = two.slice();
  new DataView(aborted.buffer).setUint32(0x1000 + 24, OTA_STATES.aborted, true);
  assert.equal(readOtaData(flashWith(aborted), otadata, apps).bootPartition, 'app0');
  const badCrc = two.slice();
  badCrc[0x1000 + 28] = badCrc[0x1000 + 28]! ^ 1;
  assert.equal(readOtaData(flashWith(badCrc), otadata, apps).bootPartition, 'app0');
  assert.equal(
    readOtaData(flashWith(encodeOtaData(0x2000, 3)), otadata, apps).bootPartition,
    'app0',
    '(3−1) mod 2',
  );
  assert.equal(
    readOtaData(flashWith(new Uint8Array(0x2000).fill(0xff)), otadata, apps).bootPartition,
    'app0',
    'erased otadata: the first OTA slot',
  );
});
