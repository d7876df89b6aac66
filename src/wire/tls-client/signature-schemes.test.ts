import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';
import {
  schemeForSigner,
  SIGNATURE_SCHEMES,
  signatureSchemeById,
  verifyWithScheme,
} from './signature-schemes.js';

const data = Buffer.from('client_random ‖ server_random ‖ params');

test('every offered scheme verifies a signature made by Node with the matching key and padding', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  for (const s of SIGNATURE_SCHEMES) {
    const pair = s.key === 'ec' ? ec : rsa;
    const sig =
      s.padding === 'ecdsa'
        ? sign(s.hash, data, { key: pair.privateKey, dsaEncoding: 'der' })
        : sign(s.hash, data, {
            key: pair.privateKey,
            padding: s.padding === 'pss' ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING,
            saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
          });
    assert.ok(verifyWithScheme(s, pair.publicKey, data, sig), s.name);
    assert.ok(!verifyWithScheme(s, pair.publicKey, Buffer.from('other'), sig), `${s.name} other data`);
    // The wrong key type never verifies (an rsae scheme with an EC key, and the reverse).
    assert.ok(!verifyWithScheme(s, (s.key === 'ec' ? rsa : ec).publicKey, data, sig), `${s.name} wrong key`);
    assert.ok(!verifyWithScheme(s, pair.publicKey, data, Uint8Array.of(0x30, 0xff)), `${s.name} garbage`);
  }
});

test('PSS and PKCS#1 are not interchangeable', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pkcs1 = sign('sha256', data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PADDING });
  assert.ok(!verifyWithScheme(signatureSchemeById(0x0804)!, rsa.publicKey, data, pkcs1));
});

test("a Signer's X.509 algorithm fixes its TLS scheme", () => {
  assert.equal(schemeForSigner('ecdsa-with-SHA256').name, 'ecdsa_secp256r1_sha256');
  assert.equal(schemeForSigner('ecdsa-with-SHA384').name, 'ecdsa_secp384r1_sha384');
  assert.equal(schemeForSigner('sha256WithRSAEncryption').name, 'rsa_pkcs1_sha256');
  assert.equal(schemeForSigner('sha512WithRSAEncryption').name, 'rsa_pkcs1_sha512');
  assert.equal(schemeForSigner('sha256WithRSAEncryption', 'pss').name, 'rsa_pss_rsae_sha256');
  assert.equal(schemeForSigner('sha384WithRSAEncryption', 'pss').name, 'rsa_pss_rsae_sha384');
});
