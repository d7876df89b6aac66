import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { ByteCursor } from './cursor.js';

test('reads in either byte order and reports file offsets', () => {
  const bytes = Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8);
  const le = new ByteCursor(bytes.subarray(1), true, 101);
  assert.equal(le.u16('a'), 0x0201);
  assert.equal(le.u32('b'), 0x06050403);
  assert.deepEqual([le.offset, le.fileOffset, le.remaining], [6, 107, 2]);
  const be = new ByteCursor(bytes, false);
  assert.equal(be.u32('c'), 0x00010203);
  assert.equal(be.u8('d'), 4);
  assert.deepEqual([...be.take(2, 'e')], [5, 6]);
});

test('a read past the end is ERR_PCAP_MALFORMED naming the field and offset; nothing is consumed', () => {
  const c = new ByteCursor(Uint8Array.of(1, 2, 3), true, 40);
  c.u8('x');
  assert.throws(
    () => c.u32('block total length'),
    (e) =>
      isLabError(e, 'ERR_PCAP_MALFORMED') &&
      e.details.offset === 41 &&
      e.details.field === 'block total length',
  );
  assert.equal(c.offset, 1);
  assert.throws(
    () => c.take(-1, 'negative'),
    (e) => isLabError(e, 'ERR_PCAP_MALFORMED'),
  );
  assert.throws(
    () => c.skip(3, 'skip'),
    (e) => isLabError(e, 'ERR_PCAP_MALFORMED'),
  );
});
