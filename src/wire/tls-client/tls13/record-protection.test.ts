import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../../core/errors.js';
import { concat, toHex } from '../bytes.js';
import { ContentType } from '../codes.js';
import { Tls13Protection } from './record-protection.js';
import * as R from './rfc8448.case.js';

const key = (k: Uint8Array, iv: Uint8Array) => ({ key: Uint8Array.from(k), iv: Uint8Array.from(iv) });
const alert = (name: string) => (e: unknown) => isLabError(e, 'ERR_TLS_PROTOCOL') && e.details.alert === name;

test('RFC 8448 §3: the server handshake record opens to EncryptedExtensions … Finished and seals back byte for byte', () => {
  const opened = new Tls13Protection('aes-128-gcm', key(R.SERVER_HS_KEY, R.SERVER_HS_IV)).open(
    R.SERVER_HANDSHAKE_RECORD.subarray(0, 5),
    R.SERVER_HANDSHAKE_RECORD.subarray(5),
  );
  assert.equal(opened.type, ContentType.handshake);
  assert.equal(opened.content.length, 657);
  assert.equal(toHex(opened.content.subarray(0, 40)), toHex(R.ENCRYPTED_EXTENSIONS));
  assert.equal(toHex(opened.content.subarray(-36)), toHex(R.SERVER_FINISHED));
  const sealed = new Tls13Protection('aes-128-gcm', key(R.SERVER_HS_KEY, R.SERVER_HS_IV)).seal(
    ContentType.handshake,
    opened.content,
  );
  assert.equal(toHex(sealed), toHex(R.SERVER_HANDSHAKE_RECORD));
});

test('RFC 8448 §3: client Finished and application data records (sequence 0), server data at sequence 1 (nonce = iv XOR seq)', () => {
  const hs = new Tls13Protection('aes-128-gcm', key(R.CLIENT_HS_KEY, R.CLIENT_HS_IV));
  assert.equal(toHex(hs.seal(ContentType.handshake, R.CLIENT_FINISHED)), toHex(R.CLIENT_FINISHED_RECORD));
  const ap = new Tls13Protection('aes-128-gcm', key(R.CLIENT_AP_KEY, R.CLIENT_AP_IV));
  assert.equal(
    toHex(ap.seal(ContentType.applicationData, R.APPLICATION_PAYLOAD)),
    toHex(R.CLIENT_APP_RECORD),
  );
  const server = new Tls13Protection('aes-128-gcm', key(R.SERVER_AP_KEY, R.SERVER_AP_IV), 1n);
  const opened = server.open(R.SERVER_APP_RECORD.subarray(0, 5), R.SERVER_APP_RECORD.subarray(5));
  assert.equal(opened.type, ContentType.applicationData);
  assert.deepEqual(opened.content, R.APPLICATION_PAYLOAD);
  // The same record at sequence 0 does not authenticate.
  const wrong = new Tls13Protection('aes-128-gcm', key(R.SERVER_AP_KEY, R.SERVER_AP_IV));
  assert.throws(
    () => wrong.open(R.SERVER_APP_RECORD.subarray(0, 5), R.SERVER_APP_RECORD.subarray(5)),
    alert('bad_record_mac'),
  );
});

for (const aead of ['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305'] as const) {
  test(`${aead}: round trip with padding stripped (RFC 8446 §5.4), tampering and all-zero plaintext refused`, () => {
    const k = {
      key: new Uint8Array(aead === 'aes-128-gcm' ? 16 : 32).fill(3),
      iv: new Uint8Array(12).fill(9),
    };
    const w = new Tls13Protection(aead, { key: Uint8Array.from(k.key), iv: Uint8Array.from(k.iv) });
    const r = new Tls13Protection(aead, { key: Uint8Array.from(k.key), iv: Uint8Array.from(k.iv) });
    const records = [
      w.seal(ContentType.alert, Uint8Array.of(1, 0), 30),
      w.seal(ContentType.applicationData, new Uint8Array(0)),
    ];
    const first = r.open(records[0]!.subarray(0, 5), records[0]!.subarray(5));
    assert.deepEqual([first.type, [...first.content]], [ContentType.alert, [1, 0]]);
    const second = r.open(records[1]!.subarray(0, 5), records[1]!.subarray(5));
    assert.deepEqual([second.type, second.content.length], [ContentType.applicationData, 0]);
    // A changed header byte is additional data: it no longer authenticates.
    const again = new Tls13Protection(aead, { key: Uint8Array.from(k.key), iv: Uint8Array.from(k.iv) });
    const bad = Uint8Array.from(records[0]!);
    bad[2] = 1;
    assert.throws(() => again.open(bad.subarray(0, 5), bad.subarray(5)), alert('bad_record_mac'));
    assert.throws(() => again.open(bad.subarray(0, 5), new Uint8Array(16)), alert('bad_record_mac'));
    // RFC 8446 §5.4: an inner plaintext of zeros only has no content type.
    const z = new Tls13Protection(aead, { key: Uint8Array.from(k.key), iv: Uint8Array.from(k.iv) });
    const zr = new Tls13Protection(aead, { key: Uint8Array.from(k.key), iv: Uint8Array.from(k.iv) });
    const zero = z.seal(0, new Uint8Array(0), 5);
    assert.throws(() => zr.open(zero.subarray(0, 5), zero.subarray(5)), alert('unexpected_message'));
    assert.throws(() => w.seal(23, new Uint8Array(16_385)), RangeError);
    assert.equal(concat(records[0]!).length, 5 + 2 + 1 + 30 + 16);
  });
}
