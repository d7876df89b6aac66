import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { concat, toHex } from './bytes.js';
import {
  extendedMasterSecret,
  finishedVerifyData,
  masterSecret,
  prf,
  type PrfHash,
  trafficKeys,
} from './prf.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/[\s:]/g, ''), 'hex'));
const text = (s: string) => new TextEncoder().encode(s);

/** The independent oracle: OpenSSL 3's TLS1-PRF KDF, where the seed is label ‖ seed. */
function opensslPrf(
  hash: PrfHash,
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  const r = spawnSync(
    'openssl',
    [
      'kdf',
      '-keylen',
      String(length),
      '-kdfopt',
      `digest:${hash.toUpperCase()}`,
      '-kdfopt',
      `hexsecret:${toHex(secret)}`,
      '-kdfopt',
      `hexseed:${toHex(concat(text(label), seed))}`,
      'TLS1-PRF',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return hex(r.stdout.trim());
}

const SECRET = hex('9b be 43 6b a9 40 f0 17 b1 76 52 84 9a 71 db 35');
const SEED = hex('a0 ba 9f 93 6c da 31 18 27 a6 f7 96 ff d5 19 8c');
/** The published output (TLS WG list, "TLS 1.2 PRF test vectors"), kept beside the openssl oracle. */
const EXPECTED_100 =
  'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af' +
  '0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66';

test('PRF SHA-256: the TLS WG test vector, all 100 bytes, equals openssl kdf TLS1-PRF', () => {
  const ours = prf('sha256', SECRET, 'test label', SEED, 100);
  assert.equal(toHex(ours), EXPECTED_100);
  assert.deepEqual(ours, opensslPrf('sha256', SECRET, 'test label', SEED, 100));
});

test('PRF SHA-256 and SHA-384 agree with openssl on varied lengths, secrets and seeds', () => {
  for (const hash of ['sha256', 'sha384'] as const) {
    for (const [secretLen, seedLen, length] of [
      [0, 0, 1],
      [48, 64, 48],
      [32, 13, 12],
      [47, 77, 104],
      [130, 32, 200],
    ] as const) {
      const secret = Uint8Array.from({ length: secretLen }, (_, i) => (i * 37 + secretLen) & 0xff);
      const seed = Uint8Array.from({ length: seedLen }, (_, i) => (i * 11 + 3) & 0xff);
      if (secretLen === 0) continue; // openssl kdf refuses an empty secret; RFC 5246 has none either
      assert.deepEqual(
        prf(hash, secret, 'key expansion', seed, length),
        opensslPrf(hash, secret, 'key expansion', seed, length),
        `${hash} secret ${secretLen} seed ${seedLen} length ${length}`,
      );
    }
  }
});

test('master secret, extended master secret, key block and Finished use the RFC labels and orders', () => {
  const pms = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  const cr = new Uint8Array(32).fill(0xc1);
  const sr = new Uint8Array(32).fill(0x5e);
  // RFC 5246 §8.1: the seed is client_random + server_random.
  assert.deepEqual(
    masterSecret('sha256', pms, cr, sr),
    opensslPrf('sha256', pms, 'master secret', concat(cr, sr), 48),
  );
  // RFC 7627 §4: the seed is the session hash.
  const sessionHash = new Uint8Array(48).fill(7);
  assert.deepEqual(
    extendedMasterSecret('sha384', pms, sessionHash),
    opensslPrf('sha384', pms, 'extended master secret', sessionHash, 48),
  );
  // RFC 5246 §6.3: server_random + client_random, then keys before IVs, client before server.
  const ms = masterSecret('sha256', pms, cr, sr);
  const block = opensslPrf('sha256', ms, 'key expansion', concat(sr, cr), 40);
  const keys = trafficKeys('sha256', ms, cr, sr, 16);
  assert.deepEqual(concat(keys.clientKey, keys.serverKey, keys.clientSalt, keys.serverSalt), block);
  const vd = finishedVerifyData('sha256', ms, 'server', sessionHash.subarray(0, 32));
  assert.deepEqual(vd, opensslPrf('sha256', ms, 'server finished', sessionHash.subarray(0, 32), 12));
});

test('PRF output length is bounded', () => {
  assert.throws(() => prf('sha256', SECRET, 'x', SEED, 1025), RangeError);
  assert.throws(() => prf('sha256', SECRET, 'x', SEED, -1), RangeError);
});
