import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteQueue } from './byte-queue.js';
import { fixedCertificates } from './certs.case.js';
import { dissectTls } from './dissector.js';
import { chunk, fill, record, tls12Connection, tls13Connection } from './golden.case.js';
import { TlsRecordTable } from './record-table.js';

test('record table: times past 2^31 and offsets past 2^30, 2^31 and 2^32 read back exactly', () => {
  const t = new TlsRecordTable();
  const offsets = [0, 2 ** 30 - 1, 2 ** 30, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 7, 2 ** 40 + 3];
  const time = 1_767_225_600_123_456; // µs since the epoch
  offsets.forEach((offset, i) => t.push('c2s', time + i, time + i + 1, offset, 23, 0x0303, 16_384, true));
  assert.deepEqual(
    offsets.map((_, i) => [t.offset(i), t.timestampUs(i), t.get(i)!.offset, t.get(i)!.endTimestampUs]),
    offsets.map((offset, i) => [offset, time + i, offset, time + i + 1]),
  );
  assert.equal(t.fragmentLength(6), 16_384);
});

test('record table: rows read back as the records, per direction; out of range is undefined', () => {
  const t = new TlsRecordTable();
  for (let i = 0; i < 40; i++)
    t.push(i % 3 ? 's2c' : 'c2s', 1000 + i, 1001 + i, 5 * i, 20 + (i % 5), 0x0303, i, i % 2 === 0);
  assert.equal(t.length, 40);
  assert.equal(t.count('c2s') + t.count('s2c'), 40);
  assert.equal(t.count('c2s'), 14);
  assert.deepEqual(t.get(7), {
    index: 7,
    direction: 's2c',
    timestampUs: 1007,
    endTimestampUs: 1008,
    offset: 35,
    contentType: 22,
    contentTypeName: 'handshake',
    legacyVersion: 0x0303,
    legacyVersionName: 'TLS 1.2',
    length: 7,
    encrypted: false,
  });
  assert.equal(t.get(40), undefined);
  assert.equal(t.get(-1), undefined);
  assert.deepEqual(
    t.toArray().map((r) => r.index),
    [...Array(40).keys()],
  );
});

test('a dissection lists its records as objects and as the table, and serialises without the table', async () => {
  const certs = await fixedCertificates();
  for (const chunks of [tls12Connection([certs.broker, certs.ca], [certs.device]), tls13Connection()]) {
    const d = dissectTls(chunks);
    assert.ok(d.tls);
    assert.ok(d.records.length > 5);
    assert.deepEqual(d.records, d.recordTable.toArray());
    assert.equal(d.records, d.records, 'made once');
    assert.ok(!Object.keys(d).includes('recordTable'));
    assert.ok(!JSON.stringify(d).includes('recordTable'));
    assert.deepEqual(
      d.summary.applicationData.c2s.map((s) => s.length),
      d.records.filter((r) => r.direction === 'c2s' && r.contentType === 23).map((r) => r.length),
    );
  }
});

test('byte queue: a unit spread over pieces that lie end to end is a view, other pieces are joined by a copy', () => {
  const stream = Uint8Array.from({ length: 64 }, (_, i) => i);
  const q = new ByteQueue();
  q.push(stream.subarray(0, 10), 1);
  q.push(stream.subarray(10, 30), 2);
  q.push(stream.subarray(30, 64), 3);
  const a = q.take(25);
  assert.equal(a.buffer, stream.buffer);
  assert.deepEqual([...a], [...stream.subarray(0, 25)]);
  assert.deepEqual(q.front(), { tag: 2, skip: 15 });
  assert.equal(q.length, 39);
  const other = new ByteQueue();
  other.push(stream.subarray(0, 10), 1);
  other.push(Uint8Array.of(99, 98), 2);
  const b = other.take(12);
  assert.notEqual(b.buffer, stream.buffer);
  assert.deepEqual([...b], [...stream.subarray(0, 10), 99, 98]);
  assert.equal(other.length, 0);
});

test('a record split across chunks of one stream reads the same as when it is whole', () => {
  const bytes = record(23, fill(3000, 0xa1));
  const whole = dissectTls([chunk('c2s', 1, record(22, fill(40, 1))), chunk('c2s', 2, bytes)]);
  const stream = new Uint8Array([...record(22, fill(40, 1)), ...bytes]);
  const split = dissectTls([
    { direction: 'c2s', timestampUs: 1, bytes: stream.subarray(0, 45) },
    { direction: 'c2s', timestampUs: 2, bytes: stream.subarray(45, 1000) },
    { direction: 'c2s', timestampUs: 2, bytes: stream.subarray(1000) },
  ]);
  assert.deepEqual(split, whole);
});
