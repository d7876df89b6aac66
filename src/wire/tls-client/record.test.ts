import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { MAX_CIPHERTEXT, MAX_PLAINTEXT } from './codes.js';
import { encodeRecord, RecordReader } from './record.js';

const fails = (alert: string) => (e: unknown) =>
  isLabError(e, 'ERR_TLS_PROTOCOL') && e.details.alert === alert;

test('records are framed, split across pushes and several per push', () => {
  const a = encodeRecord(22, 0x0303, Uint8Array.of(1, 2, 3));
  const b = encodeRecord(23, 0x0303, new Uint8Array(0));
  const c = encodeRecord(21, 0x0303, Uint8Array.of(1, 0));
  const r = new RecordReader();
  const all = Uint8Array.from([...a, ...b, ...c]);
  r.push(all.subarray(0, 2));
  assert.equal(r.next(MAX_PLAINTEXT), undefined);
  r.push(all.subarray(2, 7));
  assert.equal(r.next(MAX_PLAINTEXT), undefined, 'body incomplete');
  r.push(all.subarray(7));
  assert.deepEqual(r.next(MAX_PLAINTEXT), { type: 22, version: 0x0303, fragment: Uint8Array.of(1, 2, 3) });
  assert.deepEqual(r.next(MAX_PLAINTEXT), { type: 23, version: 0x0303, fragment: new Uint8Array(0) });
  assert.deepEqual(r.next(MAX_PLAINTEXT)?.fragment, Uint8Array.of(1, 0));
  assert.equal(r.next(MAX_PLAINTEXT), undefined);
  assert.equal(r.buffered, 0);
});

test('RFC 5246 §6.2.1/§6.2.3: a record over the limit is record_overflow, judged from the header alone', () => {
  const r = new RecordReader();
  // Only the 5-byte header of a 2^14 + 1 plaintext record: refused before any body arrives.
  r.push(Uint8Array.of(22, 3, 3, 0x40, 0x01));
  assert.throws(() => r.next(MAX_PLAINTEXT), fails('record_overflow'));
  const ok = new RecordReader();
  ok.push(Uint8Array.of(22, 3, 3, 0x40, 0x00));
  assert.equal(ok.next(MAX_PLAINTEXT), undefined, '2^14 exactly is allowed, waiting for the body');
  const prot = new RecordReader();
  prot.push(Uint8Array.of(23, 3, 3, (MAX_CIPHERTEXT + 1) >> 8, (MAX_CIPHERTEXT + 1) & 0xff));
  assert.throws(() => prot.next(MAX_CIPHERTEXT), fails('record_overflow'));
  const max = new RecordReader();
  max.push(Uint8Array.of(23, 3, 3, MAX_CIPHERTEXT >> 8, MAX_CIPHERTEXT & 0xff));
  assert.equal(max.next(MAX_CIPHERTEXT), undefined);
});

test('RFC 5246 §6: an unknown record type is unexpected_message; a non-3.x version is protocol_version', () => {
  const r = new RecordReader();
  r.push(Uint8Array.of(24, 3, 3, 0, 1, 1)); // heartbeat (RFC 6520): never offered
  assert.throws(
    () => r.next(MAX_PLAINTEXT),
    (e: unknown) =>
      fails('unexpected_message')(e) && (e as { details: { offset: number } }).details.offset === 0,
  );
  const v = new RecordReader();
  v.push(Uint8Array.of(22, 2, 0, 0, 1, 1)); // SSL 2-ish
  assert.throws(() => v.next(MAX_PLAINTEXT), fails('protocol_version'));
  const http = new RecordReader();
  http.push(new TextEncoder().encode('HTTP/1.1 400'));
  assert.throws(() => http.next(MAX_PLAINTEXT), fails('unexpected_message'));
});

test('encodeRecord refuses a fragment that could not be a record', () => {
  assert.throws(() => encodeRecord(23, 0x0303, new Uint8Array(MAX_CIPHERTEXT + 1)), RangeError);
});
