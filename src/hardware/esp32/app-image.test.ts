import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { decodeAppDesc, encodeAppDesc } from './app-desc.js';
import { type AppImageSpec, encodeAppImage, readAppImage } from './app-image.js';

const AT = 0x10000;
const spec = (over: Partial<AppImageSpec> = {}): AppImageSpec => ({
  spiMode: 'dio',
  spiFrequencyMhz: 40,
  flashSizeMib: 4,
  entryAddress: 0x40080400,
  hashAppended: true,
  segments: [
    { loadAddress: 0x3f400020, data: Uint8Array.from([1, 2, 3, 4, 5]) }, // DROM, padded to 8
    { loadAddress: 0x40080000, data: Uint8Array.from([0x3d, 0xf0, 0x3d, 0xf0]) },
  ],
  ...over,
});

/** The image placed in an erased flash window at AT. */
function flashWith(image: Uint8Array, size = 0x20000): Uint8Array {
  const flash = new Uint8Array(AT + size).fill(0xff);
  flash.set(image, AT);
  return flash;
}
const malformed = (re: RegExp) => (e: unknown) =>
  isLabError(e, 'ERR_ESP32_IMAGE_MALFORMED') && re.test(String(e));

test('header bytes: E9, count, DIO, 40 MHz | 4 MB, entry, WP disabled, chip id 0, hash flag', () => {
  const img = encodeAppImage(spec(), AT);
  assert.deepEqual([...img.subarray(0, 8)], [0xe9, 2, 2, 0x20, 0x00, 0x04, 0x08, 0x40]);
  assert.equal(img[8], 0xee);
  assert.deepEqual([...img.subarray(12, 14)], [0, 0]);
  assert.equal(img[23], 1);
  assert.equal(encodeAppImage(spec({ spiMode: 'qio', spiFrequencyMhz: 80, flashSizeMib: 16 }), AT)[3], 0x4f);
});

test('segments, 16-byte checksum block (seed 0xEF) and the appended SHA-256', () => {
  const img = encodeAppImage(spec(), AT);
  // header 24 | seg hdr 8 | data 8 | seg hdr 8 | data 4 = 52 → checksum at 63, SHA-256 after
  assert.deepEqual([...img.subarray(24, 32)], [0x20, 0x00, 0x40, 0x3f, 8, 0, 0, 0]);
  assert.deepEqual([...img.subarray(32, 40)], [1, 2, 3, 4, 5, 0, 0, 0]);
  assert.equal(img.length, 64 + 32);
  assert.ok(img.subarray(52, 63).every((b) => b === 0));
  assert.equal(img[63], 0xef ^ 1 ^ 2 ^ 3 ^ 4 ^ 5 ^ 0x3d ^ 0xf0 ^ 0x3d ^ 0xf0);
  assert.deepEqual(Buffer.from(img.subarray(64)), createHash('sha256').update(img.subarray(0, 64)).digest());
  assert.equal(encodeAppImage(spec({ hashAppended: false }), AT).length, 64);

  const r = readAppImage(flashWith(img), AT);
  assert.equal(r.length, img.length);
  assert.deepEqual(
    r.segments.map((s) => [s.region, s.loadAddress, s.length, s.dataOffset]),
    [
      ['DROM', 0x3f400020, 8, AT + 32],
      ['IRAM', 0x40080000, 4, AT + 48],
    ],
  );
  assert.equal(r.checksum.ok, true);
  assert.equal(r.sha256?.ok, true);
  assert.equal(r.header.spiMode, 'dio');
  assert.equal(r.header.flashSizeMib, 4);
  assert.equal(r.header.spiFrequencyMhz, 40);
});

test('erased flash or a wrong magic byte is reported as such', () => {
  assert.throws(() => readAppImage(new Uint8Array(0x20000).fill(0xff), 0x100), malformed(/bad magic 0xff/));
});

test('corruption: checksum and SHA-256 mismatches (strict) or flags (forensic read)', () => {
  const img = encodeAppImage(spec(), AT);
  const data = flashWith(img);
  data[AT + 33] = data[AT + 33]! ^ 0x40; // one bit of segment 0's data
  assert.throws(() => readAppImage(data, AT), malformed(/checksum mismatch/));
  const loose = readAppImage(data, AT, { strict: false });
  assert.equal(loose.checksum.ok, false);
  assert.equal(loose.sha256?.ok, false);

  const shaOnly = flashWith(img);
  shaOnly[AT + img.length - 1] = shaOnly[AT + img.length - 1]! ^ 1;
  assert.throws(() => readAppImage(shaOnly, AT), malformed(/SHA-256 mismatch/));
});

test('segments that overrun the partition, bad lengths, counts and addresses', () => {
  const img = encodeAppImage(spec(), AT);
  assert.throws(
    () => readAppImage(flashWith(img), AT, { limit: AT + 40 }),
    malformed(/segment 1 header overruns/),
  );
  assert.throws(() => readAppImage(flashWith(img), AT, { limit: AT + 80 }), malformed(/SHA-256 overruns/));

  const huge = flashWith(img);
  new DataView(huge.buffer).setUint32(AT + 28, 0x100000, true);
  assert.throws(() => readAppImage(huge, AT), malformed(/segment 0 overruns the partition/));

  const odd = flashWith(img);
  odd[AT + 28] = 7;
  assert.throws(() => readAppImage(odd, AT), malformed(/length 0x7 is invalid/));

  const count = flashWith(img);
  count[AT + 1] = 17;
  assert.throws(() => readAppImage(count, AT), malformed(/segment count 17/));

  const nowhere = flashWith(img);
  new DataView(nowhere.buffer).setUint32(AT + 24, 0x60000000, true);
  assert.throws(() => readAppImage(nowhere, AT), malformed(/in no ESP32 memory region/));

  const offPage = flashWith(img);
  new DataView(offPage.buffer).setUint32(AT + 24, 0x3f400040, true);
  assert.throws(() => readAppImage(offPage, AT), malformed(/does not match data/));

  const chip = flashWith(img);
  chip[AT + 12] = 9; // an ESP32-S3 image
  assert.throws(() => readAppImage(chip, AT), malformed(/chip id 9/));
  assert.equal(readAppImage(chip, AT, { strict: false }).header.chipId, 9);
});

test('the encoder refuses what the bootloader would refuse', () => {
  const invalid = (e: unknown) => isLabError(e, 'ERR_OPTIONS_INVALID');
  assert.throws(() => encodeAppImage(spec(), AT + 4), invalid, 'DROM data off its MMU page offset');
  assert.throws(() => encodeAppImage(spec({ segments: [] }), AT), invalid);
  assert.throws(
    () => encodeAppImage(spec({ segments: [{ loadAddress: 0x70000000, data: new Uint8Array(4) }] }), AT),
    invalid,
  );
  assert.throws(() => encodeAppImage(spec({ spiFrequencyMhz: 33 }), AT), invalid);
});

test('esp_app_desc_t: 256 bytes, magic 0xABCD5432, fixed-size strings', () => {
  const desc = {
    secureVersion: 3,
    version: '2.1.0',
    projectName: 'm5go-env-publisher',
    time: '12:34:56',
    date: 'Mar 14 2026',
    idfVersion: 'v4.4.7',
    appElfSha256: 'ab'.repeat(32),
  };
  const bytes = encodeAppDesc(desc);
  assert.equal(bytes.length, 256);
  assert.deepEqual([...bytes.subarray(0, 4)], [0x32, 0x54, 0xcd, 0xab]);
  assert.equal(Buffer.from(bytes.subarray(48, 66)).toString(), 'm5go-env-publisher');
  assert.deepEqual(decodeAppDesc(bytes), desc);
  assert.equal(decodeAppDesc(new Uint8Array(256)), null);
  assert.throws(() => encodeAppDesc({ ...desc, version: 'x'.repeat(32) }), /longer than 31 bytes/);
});
