import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { test } from 'node:test';
import { SeededRng } from '../../core/rng.js';
import {
  ecdhSharedX,
  isOnCurve,
  isValidScalar,
  multiply,
  N,
  publicKeyOf,
  randomScalar,
  rfc6979Nonces,
  signDigest,
  toBytes,
  verifyDigest,
} from './p256.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const sha256 = (data: string | Uint8Array): Uint8Array =>
  new Uint8Array(createHash('sha256').update(data).digest());

// RFC 6979 appendix A.2.5 (P-256, SHA-256, message "sample").
const RFC_KEY = hex('C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721');
const RFC_UX = '60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6';
const RFC_UY = '7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299';

function jwkPublic(xy: Uint8Array) {
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: Buffer.from(xy.subarray(0, 32)).toString('base64url'),
      y: Buffer.from(xy.subarray(32)).toString('base64url'),
    },
    format: 'jwk',
  });
}

test('RFC 6979 A.2.5: public key, deterministic k and signature for "sample"', () => {
  assert.equal(Buffer.from(publicKeyOf(RFC_KEY)).toString('hex').toUpperCase(), RFC_UX + RFC_UY);
  const digest = sha256('sample');
  const k = rfc6979Nonces(RFC_KEY, digest).next().value as bigint;
  assert.equal(
    k.toString(16).toUpperCase(),
    'A6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60',
  );
  const sig = signDigest(RFC_KEY, digest);
  assert.equal(
    Buffer.from(sig).toString('hex').toUpperCase(),
    'EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716' +
      'F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8',
  );
});

test('digest signatures verify with Node crypto, and Node signatures verify here', () => {
  const rng = new SeededRng('p256');
  for (let i = 0; i < 20; i++) {
    const d = randomScalar(rng);
    const pub = publicKeyOf(d);
    const message = Buffer.from(`message ${i}`);
    const sig = signDigest(d, sha256(message), rng.bytes(32));
    assert.ok(
      verify('sha256', message, { key: jwkPublic(pub), dsaEncoding: 'ieee-p1363' }, sig),
      `ours ${i}`,
    );
    assert.ok(verifyDigest(pub, sha256(message), sig));
    assert.ok(!verifyDigest(pub, sha256(`other ${i}`), sig));
  }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const xy = new Uint8Array([...Buffer.from(jwk.x!, 'base64url'), ...Buffer.from(jwk.y!, 'base64url')]);
  const sig = sign('sha256', Buffer.from('node'), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  assert.ok(verifyDigest(xy, sha256('node'), sig));
  const tampered = Uint8Array.from(sig);
  tampered[40]! ^= 1;
  assert.ok(!verifyDigest(xy, sha256('node'), tampered));
});

test('verification rejects out-of-range R or S and points off the curve', () => {
  const d = randomScalar(new SeededRng('range'));
  const pub = publicKeyOf(d);
  const digest = sha256('x');
  const sig = signDigest(d, digest);
  const zeroR = Uint8Array.from(sig);
  zeroR.fill(0, 0, 32);
  assert.ok(!verifyDigest(pub, digest, zeroR));
  const bigS = Uint8Array.from(sig);
  bigS.set(toBytes(N), 32);
  assert.ok(!verifyDigest(pub, digest, bigS));
  const offCurve = Uint8Array.from(pub);
  offCurve[63]! ^= 1;
  assert.ok(!isOnCurve(offCurve));
  assert.ok(!verifyDigest(offCurve, digest, sig));
  assert.equal(ecdhSharedX(d, offCurve), null);
});

test('scalar multiplication agrees with createECDH; ECDH is symmetric', () => {
  const rng = new SeededRng('mul');
  const g = publicKeyOf(toBytes(1n));
  for (let i = 0; i < 5; i++) {
    const a = randomScalar(rng);
    const b = randomScalar(rng);
    const pa = publicKeyOf(a);
    assert.deepEqual(multiply(BigInt(`0x${Buffer.from(a).toString('hex')}`), g), pa);
    assert.deepEqual(ecdhSharedX(a, publicKeyOf(b)), ecdhSharedX(b, pa));
  }
  assert.ok(!isValidScalar(new Uint8Array(32)));
  assert.ok(!isValidScalar(toBytes(N)));
  assert.ok(isValidScalar(toBytes(N - 1n)));
});
