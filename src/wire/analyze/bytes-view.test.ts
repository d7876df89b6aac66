import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesView, MAX_EVIDENCE, observation, PREVIEW_BYTES, showBytes } from './bytes-view.js';

const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

test('printable UTF-8 is text; control bytes or invalid UTF-8 are hex', () => {
  assert.deepEqual(bytesView(utf8('{"t":23.4}\n')), { bytes: 11, text: '{"t":23.4}\n', truncated: false });
  assert.deepEqual(bytesView(utf8('20 °C')), { bytes: 6, text: '20 °C', truncated: false });
  assert.deepEqual(bytesView(Uint8Array.of(0x01, 0x41)), { bytes: 2, hex: '0141', truncated: false });
  assert.deepEqual(bytesView(Uint8Array.of(0xc3, 0x28)), { bytes: 2, hex: 'c328', truncated: false });
});

test('long values keep the first PREVIEW_BYTES, not cutting a UTF-8 character in half', () => {
  const text = `${'a'.repeat(PREVIEW_BYTES - 1)}é and more`;
  const v = bytesView(utf8(text));
  assert.equal(v.truncated, true);
  assert.equal(v.bytes, Buffer.byteLength(text));
  assert.equal(v.text, 'a'.repeat(PREVIEW_BYTES - 1), 'the é straddles the cut and is dropped');
  const exact = bytesView(utf8(`${'a'.repeat(PREVIEW_BYTES - 2)}é and more`));
  assert.equal(exact.text?.endsWith('é'), true, 'a whole é at the cut is kept');
  const binary = bytesView(new Uint8Array(PREVIEW_BYTES + 10));
  assert.equal(binary.hex?.length, PREVIEW_BYTES * 2);
});

test('showBytes: quoted text, hex, long values cut with their size', () => {
  assert.equal(showBytes(bytesView(utf8('offline'))), 'offline');
  assert.equal(showBytes(bytesView(utf8('{"t":1}\r\n'))), '{"t":1}\\r\\n');
  assert.equal(showBytes(bytesView(new Uint8Array(0))), '(empty)');
  assert.equal(showBytes(bytesView(Uint8Array.of(0, 1))), 'hex 0001 (2 bytes)');
  assert.equal(showBytes(bytesView(utf8('x'.repeat(100))), 20), `${'x'.repeat(19)}… (100 bytes)`);
});

test('observation keeps at most MAX_EVIDENCE units and drops missing ones', () => {
  const e = { direction: 'c2s' as const, timeUs: 1, offset: 0, length: 2 };
  const o = observation('payload', 'exposed', undefined, 'd', [undefined, ...Array(20).fill(e)]);
  assert.equal(o.evidence.length, MAX_EVIDENCE);
  assert.equal('value' in o, false);
});
