import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { constants, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ecdsaRawToDer, keySigner, rsaPssSigner } from './signer.js';

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

test('rsaPssSigner: RSASSA-PSS (salt = digest length) that node:crypto and `openssl dgst` verify', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dir = mkdtempSync(join(tmpdir(), 'pss-'));
  try {
    writeFileSync(join(dir, 'pub.pem'), publicKey.export({ format: 'pem', type: 'spki' }));
    for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
      const s = rsaPssSigner(privateKey, hash);
      assert.equal(s.signatureAlgorithm, `${hash}WithRSAEncryption`);
      assert.equal(s.rsaPadding, 'pss');
      assert.deepEqual(s.publicKeyInfo, new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })));
      const data = Buffer.from(`CertificateVerify content ${hash}`);
      const sig = await s.sign(data);
      // Randomised by the salt: a second signature differs, and both verify.
      const again = await s.sign(data);
      assert.notDeepEqual(sig, again);
      const pss = { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING };
      const saltLength = { sha256: 32, sha384: 48, sha512: 64 }[hash];
      assert.ok(verify(hash, data, { ...pss, saltLength }, sig));
      assert.ok(verify(hash, data, { ...pss, saltLength }, again));
      // Not PKCS#1 v1.5.
      assert.equal(verify(hash, data, publicKey, sig), false);
      writeFileSync(join(dir, 'data'), data);
      writeFileSync(join(dir, 'sig'), sig);
      const openssl = (saltlen: string) =>
        spawnSync('openssl', [
          'dgst',
          `-${hash}`,
          '-verify',
          join(dir, 'pub.pem'),
          '-sigopt',
          'rsa_padding_mode:pss',
          '-sigopt',
          `rsa_pss_saltlen:${saltlen}`,
          '-signature',
          join(dir, 'sig'),
          join(dir, 'data'),
        ]);
      const ok = openssl('digest');
      assert.equal(ok.status, 0, ok.stderr.toString());
      assert.match(ok.stdout.toString(), /Verified OK/);
      // openssl judges the salt length too: the wrong one fails.
      assert.notEqual(openssl(String(saltLength + 1)).status, 0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rsaPssSigner refuses a key that is not an RSA private key', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  assert.throws(() => rsaPssSigner(ec.privateKey), { code: 'ERR_PKI_KEY_UNSUPPORTED' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  assert.throws(() => rsaPssSigner(rsa.publicKey), { code: 'ERR_PKI_KEY_UNSUPPORTED' });
  // keySigner stays PKCS#1 v1.5 and says nothing of PSS.
  assert.equal(keySigner(rsa.privateKey).rsaPadding, undefined);
});
