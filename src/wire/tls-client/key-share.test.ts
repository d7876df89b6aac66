import assert from 'node:assert/strict';
import { createECDH, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { SeededRng } from '../../core/rng.js';
import { generateEphemeral } from './key-share.js';

const illegal = (e: unknown) => isLabError(e, 'ERR_TLS_HANDSHAKE') && e.details.alert === 'illegal_parameter';

test('x25519: the seeded key agrees with a key made by Node, and is reproducible', () => {
  const ours = generateEphemeral('x25519', new SeededRng('s'));
  assert.equal(ours.publicKey.length, 32);
  assert.deepEqual(generateEphemeral('x25519', new SeededRng('s')).publicKey, ours.publicKey);
  const peer = generateKeyPairSync('x25519');
  const peerRaw = peer.publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
  const ourSpki = Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), ours.publicKey]);
  const theirs = diffieHellman({
    privateKey: peer.privateKey,
    publicKey: createPublicKey({ key: ourSpki, format: 'der', type: 'spki' }),
  });
  assert.deepEqual(ours.deriveSecret(peerRaw), new Uint8Array(theirs));
});

test('x25519: wrong length and a small-order point (all-zero secret, RFC 8422 §5.11) are illegal_parameter', () => {
  const k = generateEphemeral('x25519', new SeededRng('s'));
  assert.throws(() => k.deriveSecret(new Uint8Array(31)), illegal);
  // u = 0 and u = 1 are of small order: the shared secret is all zeros.
  assert.throws(() => k.deriveSecret(new Uint8Array(32)), illegal);
  assert.throws(() => k.deriveSecret(Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0))), illegal);
});

test('secp256r1 and secp384r1: agreement with Node ECDH, uncompressed form only, on-curve check', () => {
  for (const [group, curve, size] of [
    ['secp256r1', 'prime256v1', 32],
    ['secp384r1', 'secp384r1', 48],
  ] as const) {
    const ours = generateEphemeral(group, new SeededRng(group));
    assert.equal(ours.publicKey.length, 1 + 2 * size);
    assert.equal(ours.publicKey[0], 4);
    const peer = createECDH(curve);
    peer.generateKeys();
    assert.deepEqual(
      ours.deriveSecret(peer.getPublicKey()),
      new Uint8Array(peer.computeSecret(ours.publicKey)),
    );
    assert.throws(() => ours.deriveSecret(peer.getPublicKey(null, 'compressed')), illegal);
    const off = Uint8Array.from(peer.getPublicKey());
    off[off.length - 1]! ^= 1;
    assert.throws(() => ours.deriveSecret(off), illegal, 'a point off the curve');
  }
});
