import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { additionalData, openFragment, RecordProtection, sealFragment } from './aead.js';
import { toHex } from './bytes.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

// McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 4 and 16: the 12-byte IV
// cafebabe ‖ facedbaddecaf888 is exactly salt ‖ nonce_explicit of RFC 5288 §3.
const K128 = hex('feffe9928665731c6d6a8f9467308308');
const K256 = hex('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308');
const SALT = hex('cafebabe');
const SEQ = 0xfacedbaddecaf888n;
const P = hex(
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
);
const C128 =
  '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091';
const C256 =
  '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662';

test('GCM primitive: the published test cases 4 and 16 (AAD feedface…) reproduce', () => {
  for (const [key, cipher, c, tag] of [
    [K128, 'aes-128-gcm', C128, '5bc94fbc3221a5db94fae95ae7121a47'],
    [K256, 'aes-256-gcm', C256, '76fc6ece0f4e1768cddf8853bb2d551b'],
  ] as const) {
    const e = createCipheriv(cipher, key, hex('cafebabefacedbaddecaf888'));
    e.setAAD(hex('feedfacedeadbeeffeedfacedeadbeefabaddad2'));
    assert.equal(toHex(Buffer.concat([e.update(P), e.final()])), c);
    assert.equal(toHex(e.getAuthTag()), tag);
  }
});

test('RFC 5246 §6.2.3.3 additional data: seq_num ‖ type ‖ version ‖ plaintext length', () => {
  assert.equal(toHex(additionalData(SEQ, 23, 0x0303, 60)), 'facedbaddecaf888' + '17' + '0303' + '003c');
});

test('sealFragment: explicit nonce = sequence number, ciphertext = the GCM vector, tag over the TLS AAD', () => {
  for (const [key, cipher, c] of [
    [K128, 'aes-128-gcm', C128],
    [K256, 'aes-256-gcm', C256],
  ] as const) {
    const frag = sealFragment({ cipher, key, salt: SALT, seq: SEQ, type: 23, version: 0x0303, plaintext: P });
    assert.equal(frag.length, 8 + P.length + 16);
    assert.equal(toHex(frag.subarray(0, 8)), 'facedbaddecaf888');
    assert.equal(toHex(frag.subarray(8, 8 + P.length)), c, 'GCM ciphertext does not depend on the AAD');
    // The tag, computed independently with the AAD written out byte by byte.
    const e = createCipheriv(cipher, key, hex('cafebabefacedbaddecaf888'));
    e.setAAD(hex('facedbaddecaf888 17 0303 003c'));
    e.update(P);
    e.final();
    assert.equal(toHex(frag.subarray(8 + P.length)), toHex(e.getAuthTag()));
    const back = openFragment({
      cipher,
      key,
      salt: SALT,
      seq: SEQ,
      type: 23,
      version: 0x0303,
      fragment: frag,
    });
    assert.deepEqual(back, P);
  }
});

test('openFragment refuses a flipped bit, another type, another sequence number, a short fragment', () => {
  const base = { cipher: 'aes-128-gcm', key: K128, salt: SALT, seq: 5n, type: 23, version: 0x0303 } as const;
  const frag = sealFragment({ ...base, plaintext: P });
  for (let i = 0; i < frag.length; i += 7) {
    const bad = Uint8Array.from(frag);
    bad[i]! ^= 0x01;
    assert.equal(openFragment({ ...base, fragment: bad }), undefined, `bit flipped at ${i}`);
  }
  assert.equal(openFragment({ ...base, type: 22, fragment: frag }), undefined);
  assert.equal(openFragment({ ...base, seq: 6n, fragment: frag }), undefined);
  assert.equal(openFragment({ ...base, fragment: frag.subarray(0, 23) }), undefined);
  // An empty plaintext is a valid 24-byte fragment.
  const empty = sealFragment({ ...base, plaintext: new Uint8Array(0) });
  assert.deepEqual(openFragment({ ...base, fragment: empty }), new Uint8Array(0));
});

test('RecordProtection counts sequence numbers from 0 and answers a forgery with bad_record_mac', () => {
  const send = new RecordProtection('aes-256-gcm', Uint8Array.from(K256), Uint8Array.from(SALT));
  const recv = new RecordProtection('aes-256-gcm', Uint8Array.from(K256), Uint8Array.from(SALT));
  const a = send.seal(23, 0x0303, Uint8Array.of(1));
  const b = send.seal(23, 0x0303, Uint8Array.of(2));
  assert.equal(toHex(a.subarray(0, 8)), '0000000000000000');
  assert.equal(toHex(b.subarray(0, 8)), '0000000000000001');
  assert.deepEqual(recv.open(23, 0x0303, a), Uint8Array.of(1));
  // A replayed record is checked against seq 1 and fails (RFC 5246 §6.1 implicit sequence numbers).
  assert.throws(
    () => recv.open(23, 0x0303, a),
    (e: unknown) => isLabError(e, 'ERR_TLS_PROTOCOL') && e.details.alert === 'bad_record_mac',
  );
});
