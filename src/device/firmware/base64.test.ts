import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { base64Into, base64Size } from './base64.js';

test('base64Into matches Node, 64 characters a line, for every length 0–200', () => {
  for (let n = 0; n <= 200; n++) {
    const data = new Uint8Array(randomBytes(n));
    const out = new Uint8Array(base64Size(n));
    const written = base64Into(data, out);
    assert.equal(written, out.length, `length ${n}`);
    const expected = Buffer.from(data)
      .toString('base64')
      .replace(/.{64}(?=.)/g, '$&\n');
    assert.equal(Buffer.from(out).toString('latin1'), expected, `length ${n}`);
  }
});
