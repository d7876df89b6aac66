import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cat, fill, hex, record } from './golden.case.js';
import { MAX_RECORD_LENGTH, RecordFramer } from './record.js';

test('the record header built by the tests is RFC 5246 §6.2.1 TLSPlaintext', () => {
  assert.deepEqual(record(22, hex('0e000000')), hex('16 0303 0004 0e000000'));
  assert.deepEqual(record(21, hex('0230'), 0x0301), hex('15 0301 0002 0230'));
});

test('cuts a stream into records whatever the chunking, with first- and last-byte times', () => {
  const stream = cat(record(22, fill(10, 1)), record(23, fill(300, 2)), record(21, hex('0100')));
  const framer = new RecordFramer();
  const got = [...stream].flatMap((b, i) => framer.push(Uint8Array.of(b), i));
  assert.deepEqual(
    got.map((r) => [
      r.offset,
      r.contentType,
      r.legacyVersion,
      r.fragment.length,
      r.timestampUs,
      r.endTimestampUs,
    ]),
    [
      [0, 22, 0x0303, 10, 0, 14],
      [15, 23, 0x0303, 300, 15, 319],
      [320, 21, 0x0303, 2, 320, 326],
    ],
  );
  assert.equal(framer.pending, 0);
});

test('a partial record stays pending', () => {
  const framer = new RecordFramer();
  assert.deepEqual(framer.push(record(23, fill(20, 0)).subarray(0, 12), 0), []);
  assert.equal(framer.pending, 12);
});

test('a record of exactly 2^14+2048 bytes passes; one byte more fails (RFC 5246 §6.2.3)', () => {
  const ok = new RecordFramer();
  assert.equal(ok.push(record(23, fill(MAX_RECORD_LENGTH, 0)), 0).length, 1);
  const bad = new RecordFramer();
  const header = hex('17 0303 4801');
  assert.deepEqual(bad.push(cat(record(23, fill(3, 0)), header), 0).length, 1);
  assert.deepEqual(bad.failed, { offset: 8, what: 'record header: length 18433 exceeds 2^14+2048' });
  assert.equal(bad.pending, 0, 'nothing of the bad record is buffered');
  assert.deepEqual(bad.push(fill(100, 0), 1), [], 'bytes after a framing failure are ignored');
});

test('a header whose version major is not 3 breaks framing', () => {
  const framer = new RecordFramer();
  framer.push(hex('16 0403 0001 00'), 0);
  assert.equal(framer.failed?.what, 'record header: version major 4, not 3');
});
