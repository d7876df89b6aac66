import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { isLabError } from '../core/errors.js';
import { describeKey, generatePrivateKey, loadPrivateKey, parseKeyType, privateKeyToPem } from './keys.js';

test('key types and aliases', () => {
  assert.equal(parseKeyType('prime256v1'), 'p256');
  assert.equal(parseKeyType('RSA-4096'), 'rsa-4096');
  assert.throws(
    () => parseKeyType('dsa'),
    (e) => isLabError(e, 'ERR_PKI_KEY_TYPE_UNKNOWN'),
  );
});

test('encrypted PKCS#8 round trip; wrong and missing passphrases are distinct codes', async () => {
  const key = await generatePrivateKey('p256');
  const pem = privateKeyToPem(key, 'correct horse');
  assert.match(pem, /BEGIN ENCRYPTED PRIVATE KEY/);
  assert.equal(describeKey(loadPrivateKey(pem, 'k', 'correct horse')), 'EC P-256');
  assert.throws(
    () => loadPrivateKey(pem, 'k', 'wrong'),
    (e) => isLabError(e, 'ERR_PKI_KEY_PASSPHRASE'),
  );
  assert.throws(
    () => loadPrivateKey(pem, 'k'),
    (e) => isLabError(e, 'ERR_PKI_PASSPHRASE_REQUIRED'),
  );
  assert.throws(
    () => loadPrivateKey('garbage', 'k'),
    (e) => isLabError(e, 'ERR_PKI_KEY_MALFORMED'),
  );
});

test('encrypted and clear PKCS#8 DER keys load, with the same passphrase rules as PEM', async () => {
  const key = await generatePrivateKey('p256');
  const enc = key.export({
    type: 'pkcs8',
    format: 'der',
    cipher: 'aes-256-cbc',
    passphrase: 'correct horse',
  });
  assert.equal(describeKey(loadPrivateKey(enc, 'k', 'correct horse')), 'EC P-256');
  assert.throws(
    () => loadPrivateKey(enc, 'k'),
    (e) => isLabError(e, 'ERR_PKI_PASSPHRASE_REQUIRED'),
  );
  assert.throws(
    () => loadPrivateKey(enc, 'k', 'nope'),
    (e) => isLabError(e, 'ERR_PKI_KEY_PASSPHRASE'),
  );
  const clear = key.export({ type: 'pkcs8', format: 'der' });
  assert.equal(describeKey(loadPrivateKey(clear, 'k')), 'EC P-256');
});

test('weak keys are refused', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  assert.throws(
    () => loadPrivateKey(pem, 'k'),
    (e) => isLabError(e, 'ERR_PKI_KEY_UNSUPPORTED'),
  );
});
