import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import type { ImageSegment } from './app-image.js';
import { constantsRecord, layoutRodata, readRodata } from './rodata.js';

const BASE = 0x3f400020;

/** A DROM segment: 256 bytes where esp_app_desc_t goes, then the rodata. */
function segment(rodata: Uint8Array): ImageSegment {
  const data = new Uint8Array(256 + rodata.length);
  data.set(rodata, 256);
  return { index: 0, loadAddress: BASE, length: data.length, dataOffset: 0x10020, region: 'DROM', data };
}

test('C strings keep their NUL, arrays do not; every name and value is 4-byte aligned', () => {
  const rodata = layoutRodata({ ssid: 'LAB', blob: Uint8Array.of(1, 2, 3, 4, 5) }, BASE);
  const consts = readRodata(segment(rodata))!;
  assert.deepEqual(
    consts.map((c) => [c.name, c.kind, [...c.value]]),
    [
      ['ssid', 'string', [0x4c, 0x41, 0x42]],
      ['blob', 'bytes', [1, 2, 3, 4, 5]],
    ],
  );
  for (const c of consts) {
    assert.equal(c.address % 4, 0);
    assert.equal(c.flashOffset, 0x10020 + (c.address - BASE));
  }
  const seg = segment(rodata);
  const ssidAt = consts[0]!.address - BASE;
  assert.equal(seg.data[ssidAt + 3], 0, 'NUL terminator');
  assert.deepEqual(constantsRecord(consts), { ssid: 'LAB', blob: Uint8Array.of(1, 2, 3, 4, 5) });
});

test('a segment without the directory has no constants to list', () => {
  assert.equal(readRodata(segment(new Uint8Array(64))), null);
});

test('a directory that points outside its segment is malformed', () => {
  const malformed = (e: unknown) => isLabError(e, 'ERR_ESP32_IMAGE_MALFORMED');
  const rodata = layoutRodata({ key: 'value' }, BASE);
  const huge = rodata.slice();
  new DataView(huge.buffer).setUint32(4, 1000, true); // count
  assert.throws(() => readRodata(segment(huge)), malformed);
  const wild = rodata.slice();
  new DataView(wild.buffer).setUint32(12, 0x3f7ffff0, true); // value address
  assert.throws(() => readRodata(segment(wild)), /outside the DROM segment/);
  const long = rodata.slice();
  new DataView(long.buffer).setUint32(16, 4096, true); // value length
  assert.throws(() => readRodata(segment(long)), malformed);
});
