import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { keySigner, type Signer } from '../../pki/signer.js';
import { chooseClientCredential } from './client-auth.js';
import { resolveOptions } from './options.js';
import { identities } from './peer.case.js';

const request = (schemes: number[], types = [1, 64]) => ({
  certificateTypes: types,
  signatureSchemes: schemes,
  authorities: [],
});

async function settings(signer?: Signer) {
  const id = await identities();
  return resolveOptions({
    rejectUnauthorized: false,
    certificateChain: [id.client.certificate.der],
    signer: signer ?? keySigner(id.client.key),
  });
}

test('our chain when the server accepts our scheme and key type, else an empty Certificate', async () => {
  const s = await settings();
  assert.equal(chooseClientCredential(request([0x0804, 0x0403]), s)?.scheme.name, 'ecdsa_secp256r1_sha256');
  assert.equal(chooseClientCredential(request([0x0804, 0x0401]), s), undefined, 'no ECDSA scheme offered');
  assert.equal(chooseClientCredential(request([0x0403], [1]), s), undefined, 'rsa_sign only');
  assert.equal(
    chooseClientCredential(request([0x0403]), resolveOptions({ rejectUnauthorized: false })),
    undefined,
  );
});

test('the signer key is not compared with the certificate key (the wrong secure element signs anyway)', async () => {
  const id = await identities();
  const wrong = keySigner(id.otherKey);
  const c = chooseClientCredential(request([0x0403]), await settings(wrong))!;
  assert.deepEqual(c.chain, [id.client.certificate.der]);
  assert.ok((await c.sign(Uint8Array.of(1, 2, 3))).length > 0);
});

test('a signer that fails or returns nothing usable is internal_error, not an exception', async () => {
  const id = await identities();
  const base = keySigner(id.client.key);
  const failing: Signer = { ...base, sign: () => Promise.reject(new Error('SE: no ACK at 0x35')) };
  const empty: Signer = { ...base, sign: () => Promise.resolve(new Uint8Array(0)) };
  for (const signer of [failing, empty]) {
    const c = chooseClientCredential(request([0x0403]), await settings(signer))!;
    await assert.rejects(
      c.sign(Uint8Array.of(1)),
      (e: unknown) => isLabError(e, 'ERR_TLS_HANDSHAKE') && e.details.alert === 'internal_error',
    );
  }
});
