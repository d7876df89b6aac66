import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { MIB } from './format.js';
import {
  ARDUINO_DEFAULT_PARTITIONS,
  encodePartitionTable,
  PARTITION_TABLE_LENGTH,
  type PartitionSpec,
  readPartitionTable,
  resolvePartitions,
} from './partition-table.js';

const FLASH = 4 * MIB;
const table = () => encodePartitionTable(resolvePartitions(ARDUINO_DEFAULT_PARTITIONS, FLASH));

test('entry layout: magic AA 50, type, subtype, offset, size (LE), label[16], flags', () => {
  const t = table();
  assert.equal(t.length, PARTITION_TABLE_LENGTH);
  assert.deepEqual(
    [...t.subarray(0, 32)],
    [
      0xaa,
      0x50,
      0x01,
      0x02,
      0x00,
      0x90,
      0x00,
      0x00,
      0x00,
      0x50,
      0x00,
      0x00, // nvs data/nvs 0x9000 0x5000
      ...Buffer.from('nvs'),
      ...new Array(13).fill(0),
      0,
      0,
      0,
      0,
    ],
  );
  assert.deepEqual([...t.subarray(64, 68)], [0xaa, 0x50, 0x00, 0x10], 'app0 is app/ota_0');
  assert.deepEqual([...t.subarray(128, 132)], [0xaa, 0x50, 0x01, 0x82], 'spiffs is data/0x82');
});

test('MD5 entry after the 6 entries: EB EB, 14 × FF, MD5 of the 192 bytes before; then FF fill', () => {
  const t = table();
  const md5At = 6 * 32;
  assert.deepEqual([...t.subarray(md5At, md5At + 16)], [0xeb, 0xeb, ...new Array(14).fill(0xff)]);
  assert.deepEqual(
    Buffer.from(t.subarray(md5At + 16, md5At + 32)),
    createHash('md5').update(t.subarray(0, md5At)).digest(),
  );
  assert.ok(t.subarray(md5At + 32).every((b) => b === 0xff));
});

test('read back: names, numbers and the MD5 verdict', () => {
  const r = readPartitionTable(table(), 0);
  assert.deepEqual(
    r.partitions.map((p) => [p.label, p.typeName, p.subtypeName, p.offset, p.size]),
    [
      ['nvs', 'data', 'nvs', 0x9000, 0x5000],
      ['otadata', 'data', 'ota', 0xe000, 0x2000],
      ['app0', 'app', 'ota_0', 0x10000, 0x140000],
      ['app1', 'app', 'ota_1', 0x150000, 0x140000],
      ['spiffs', 'data', 'spiffs', 0x290000, 0x160000],
      ['coredump', 'data', 'coredump', 0x3f0000, 0x10000],
    ],
  );
  assert.equal(r.md5?.ok, true);
  const last = r.partitions.at(-1)!;
  assert.equal(last.offset + last.size, FLASH, 'the default scheme fills 4 MiB exactly');
});

test('a damaged table: MD5 mismatch, bad magic, missing MD5, missing end marker', () => {
  const malformed = (e: unknown) => isLabError(e, 'ERR_ESP32_IMAGE_MALFORMED');
  const flipped = table();
  flipped[12] = flipped[12]! ^ 0x01; // "nvs" → "ovs"
  assert.throws(() => readPartitionTable(flipped, 0), malformed);
  assert.equal(readPartitionTable(flipped, 0, { strict: false }).md5?.ok, false);

  const badMagic = table();
  badMagic[32] = 0x55;
  assert.throws(() => readPartitionTable(badMagic, 0), /bad magic 0x55 0x50 at entry 1/);

  const noMd5 = table();
  noMd5.fill(0xff, 6 * 32, 7 * 32);
  assert.throws(() => readPartitionTable(noMd5, 0), /no MD5 entry/);
  assert.equal(readPartitionTable(noMd5, 0, { strict: false }).md5, null);

  const noEnd = new Uint8Array(PARTITION_TABLE_LENGTH);
  for (let at = 0; at < noEnd.length; at += 32) noEnd.set(table().subarray(0, 32), at);
  assert.throws(() => readPartitionTable(noEnd, 0, { strict: false }), /end-of-table marker|overlaps/);

  const afterMd5 = table();
  afterMd5.set(afterMd5.subarray(0, 32), 7 * 32);
  assert.throws(() => readPartitionTable(afterMd5, 0), /follows the MD5 entry/);

  assert.throws(() => readPartitionTable(new Uint8Array(100), 0), malformed);
});

test('layout rules of gen_esp32part.py are enforced on build', () => {
  const invalid = (e: unknown) => isLabError(e, 'ERR_OPTIONS_INVALID');
  const base = ARDUINO_DEFAULT_PARTITIONS;
  const edit = (i: number, patch: Partial<PartitionSpec>) =>
    base.map((p, k) => (k === i ? { ...p, ...patch } : p));
  assert.throws(
    () => resolvePartitions(edit(2, { offset: 0x11000 }), FLASH),
    invalid,
    'app not 64 KiB aligned',
  );
  assert.throws(
    () => resolvePartitions(edit(0, { offset: 0x9800 }), FLASH),
    invalid,
    'data not sector aligned',
  );
  assert.throws(() => resolvePartitions(edit(0, { size: 0x6000 }), FLASH), /overlaps/);
  assert.throws(
    () => resolvePartitions(edit(0, { offset: 0x8000 }), FLASH),
    /overlaps/,
    'on the table itself',
  );
  assert.throws(() => resolvePartitions(edit(3, { label: 'app0' }), FLASH), /unique/);
  assert.throws(() => resolvePartitions(edit(0, { label: 'a-very-long-label-x' }), FLASH), /1–16 bytes/);
  assert.throws(() => resolvePartitions(edit(0, { subtype: 'nope' }), FLASH), /unknown subtype/);
  assert.throws(() => resolvePartitions(edit(1, { size: 0x1000 }), FLASH), /otadata/);
  assert.throws(
    () => resolvePartitions(base, 2 * MIB),
    (e) => isLabError(e, 'ERR_ESP32_IMAGE_TOO_LARGE'),
    'the 4 MB scheme on a 2 MB part',
  );
  const many = Array.from({ length: 95 }, (_, i) => ({
    label: `p${i}`,
    type: 'data',
    subtype: 'undefined',
    offset: 0x9000 + i * 0x1000,
    size: 0x1000,
  }));
  assert.throws(() => resolvePartitions(many, FLASH), /do not fit/);
  assert.equal(resolvePartitions(many.slice(0, 94), FLASH).length, 94);
});
