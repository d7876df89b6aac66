import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { decodeSlotKey, encodeSlotKey, SLOT8_BYTES } from './slot-key.js';

const code = (c: string) => (err: unknown) => isLabError(err) && err.code === c;
const p256 = (): Uint8Array =>
  new Uint8Array(
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' }),
  );

test("the lab sheet's layout: 2-byte big-endian length, PKCS#8 DER, zeros to 416 bytes", () => {
  const der = p256();
  const slot = encodeSlotKey(der);
  assert.equal(slot.length, SLOT8_BYTES);
  assert.deepEqual([slot[0], slot[1]], [0x00, 0x8a]); // the seed's key_blob starts 0x00, 0x8A
  assert.deepEqual(slot.subarray(2, 2 + der.length), der);
  assert.ok(slot.subarray(2 + der.length).every((b) => b === 0));
  const back = decodeSlotKey(slot);
  assert.deepEqual(back.der, der);
  assert.match(
    back.pem,
    /^-----BEGIN PRIVATE KEY-----\n([A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END PRIVATE KEY-----\n$/,
  );
  assert.equal(back.key.asymmetricKeyType, 'ec');
});

test('a key that does not fit, or bytes that are not a key, are refused', () => {
  assert.throws(() => encodeSlotKey(p256(), 36), code('ERR_SE_SLOT_INVALID'));
  assert.throws(() => encodeSlotKey(new Uint8Array(0)), code('ERR_SE_SLOT_INVALID'));
  assert.throws(() => encodeSlotKey(new Uint8Array(100).fill(0x30)), code('ERR_SE_KEY_FORMAT'));
  const ed = new Uint8Array(
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }),
  );
  assert.throws(() => encodeSlotKey(ed), code('ERR_SE_KEY_FORMAT'));
});

test('decoding: an empty slot, a length past the end, a damaged key', () => {
  assert.throws(() => decodeSlotKey(new Uint8Array(SLOT8_BYTES)), code('ERR_SE_KEY_FORMAT'));
  const slot = encodeSlotKey(p256());
  const long = slot.slice();
  long[0] = 0x02; // 0x028A > 414
  assert.throws(() => decodeSlotKey(long), code('ERR_SE_KEY_FORMAT'));
  const damaged = slot.slice();
  damaged[2] = 0x31; // SEQUENCE tag broken
  assert.throws(() => decodeSlotKey(damaged), code('ERR_SE_KEY_FORMAT'));
  assert.throws(() => decodeSlotKey(Uint8Array.of(0)), code('ERR_SE_KEY_FORMAT'));
});
