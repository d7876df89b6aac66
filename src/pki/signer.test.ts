import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { test } from 'node:test';
import { ecdsaRawToDer, keySigner } from './signer.js';

test('ecdsaRawToDer turns R‖S (IEEE P1363, as the ATECC608B returns it) into what X.509 carries', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  for (let i = 0; i < 200; i++) {
    const data = Buffer.from(`reading ${i}`);
    const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const der = ecdsaRawToDer(raw);
    assert.ok(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, der), `iteration ${i}`);
  }
  // High bit set in both halves: each INTEGER gets a 0x00 pad.
  const der = ecdsaRawToDer(Uint8Array.from([...Array(32).fill(0x80), ...Array(32).fill(0xff)]));
  assert.deepEqual([...der.subarray(0, 5)], [0x30, 0x46, 0x02, 0x21, 0x00]);
  assert.throws(() => ecdsaRawToDer(Uint8Array.of(1, 2, 3)), RangeError);
});

test('keySigner exposes the SPKI and signs verifiably with the default algorithm of the key', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const s = keySigner(privateKey);
  assert.equal(s.signatureAlgorithm, 'ecdsa-with-SHA384');
  const sig = await s.sign(Buffer.from('tbs'));
  const pub = createPublicKey({ key: Buffer.from(s.publicKeyInfo), format: 'der', type: 'spki' });
  assert.ok(verify('sha384', Buffer.from('tbs'), pub, sig));
});
