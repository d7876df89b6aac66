import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { SeededRng } from '../core/rng.js';
import { certificateToPem, createRootCa, fingerprint } from '../pki/index.js';
import { highEntropyWindows, matchScalars, p256Point, scalarToPkcs8 } from './key-scalar.js';
import { findCertificates, findDerKeys, findPemKeys, searchKeys } from './key-search.js';

const ec = (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const spkiFp = (k: KeyObject): string =>
  fingerprint(new Uint8Array(createPublicKey(k).export({ type: 'spki', format: 'der' })));

/** An erased flash (0xFF) with `parts` written at their offsets. */
function image(size: number, parts: [number, Uint8Array | string][]): Uint8Array {
  const out = new Uint8Array(size).fill(0xff);
  for (const [at, p] of parts) out.set(typeof p === 'string' ? Buffer.from(p, 'latin1') : p, at);
  return out;
}

describe('PEM private keys', () => {
  test('PKCS#8, SEC1 and PKCS#1 blocks are found at their offsets and parsed', () => {
    const a = ec();
    const b = ec();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const pemA = a.export({ type: 'pkcs8', format: 'pem' }) as string;
    const pemB = b.export({ type: 'sec1', format: 'pem' }) as string;
    const pemR = rsa.export({ type: 'pkcs1', format: 'pem' }) as string;
    const found = findPemKeys(
      image(32_768, [
        [1001, pemA],
        [9000, pemB],
        [17_003, pemR],
      ]),
    );
    assert.deepEqual(
      found.map((k) => [k.offset, k.format, k.encrypted, k.spkiSha256]),
      [
        [1001, 'pkcs8', false, spkiFp(a)],
        [9000, 'sec1', false, spkiFp(b)],
        [17_003, 'pkcs1', false, spkiFp(rsa)],
      ],
    );
    assert.equal(found[0]!.algorithm, 'ec prime256v1');
    assert.equal(found[2]!.algorithm, 'rsa 1024');
  });

  test('encrypted keys (PKCS#8 and legacy Proc-Type) are flagged, not opened', () => {
    const k = ec();
    const p8 = k.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    const legacy = k.export({
      type: 'sec1',
      format: 'pem',
      cipher: 'aes-128-cbc',
      passphrase: 'x',
    }) as string;
    const found = findPemKeys(
      image(8192, [
        [10, p8],
        [4000, legacy],
      ]),
    );
    assert.deepEqual(
      found.map((f) => [f.format, f.encrypted, f.key]),
      [
        ['encrypted-pkcs8', true, undefined],
        ['encrypted-legacy', true, undefined],
      ],
    );
  });
});

describe('DER private keys', () => {
  test('PKCS#8 and SEC1 at odd offsets; the SEC1 inside the PKCS#8 is not reported twice', () => {
    const a = ec();
    const b = ec();
    const derA = new Uint8Array(a.export({ type: 'pkcs8', format: 'der' }));
    const derB = new Uint8Array(b.export({ type: 'sec1', format: 'der' }));
    const found = findDerKeys(
      image(65_536, [
        [12_345, derA],
        [40_001, derB],
      ]),
    );
    assert.deepEqual(
      found.map((k) => [k.offset, k.length, k.format, k.spkiSha256]),
      [
        [12_345, derA.length, 'pkcs8', spkiFp(a)],
        [40_001, derB.length, 'sec1', spkiFp(b)],
      ],
    );
  });

  test('an encrypted PKCS#8 DER is flagged', () => {
    const der = new Uint8Array(
      ec().export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: 'x' }),
    );
    const found = findDerKeys(image(4096, [[77, der]]));
    assert.deepEqual(
      found.map((k) => [k.offset, k.format, k.encrypted]),
      [[77, 'encrypted-pkcs8', true]],
    );
  });

  test('a truncated DER key, in the middle or at the very end, is no key and no crash', () => {
    const der = new Uint8Array(ec().export({ type: 'pkcs8', format: 'der' }));
    const cut = der.subarray(0, 70);
    assert.deepEqual(findDerKeys(image(1024, [[100, cut]])), []);
    const tail = image(200, [[200 - cut.length, cut]]);
    assert.deepEqual(searchKeys(tail).keys, []);
    // Header only, length pointing past the end.
    assert.deepEqual(
      findDerKeys(Uint8Array.from([0x30, 0x81, 0x87, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06])),
      [],
    );
  });
});

describe('random noise and the scalar search', () => {
  test('random bytes: no key, the windows form one candidate region, nothing matches', async () => {
    const noise = new SeededRng('noise').bytes(16_384);
    const ca = await createRootCa({ subject: { CN: 'noise' } });
    const cert = certificateToPem(ca.certificate.der);
    const img = new Uint8Array(noise.length + cert.length);
    img.set(noise);
    img.set(Buffer.from(cert), noise.length);
    const r = searchKeys(img);
    assert.deepEqual(r.keys, []);
    assert.equal(r.certificates.length, 1);
    assert.ok(r.entropy.windows > 15_000 && r.entropy.tested > 15_000);
    assert.equal(r.entropy.truncated, false);
    assert.equal(r.pairs.length, 0);
    const capped = highEntropyWindows(noise, 100);
    assert.deepEqual([capped.offsets.length, capped.truncated], [100, true]);
    assert.deepEqual(capped.regions.length, 1);
  });

  test('base64 text and erased flash give no candidate window', () => {
    const pem = ec().export({ type: 'pkcs8', format: 'pem' }) as string;
    assert.equal(highEntropyWindows(image(4096, [[0, pem.repeat(4)]])).offsets.length, 0);
  });

  test('a raw scalar at an odd offset is found and paired with its certificate', async () => {
    const ca = await createRootCa({ subject: { CN: 'device' } });
    const jwk = ca.key!.export({ format: 'jwk' });
    const d = new Uint8Array(Buffer.from(jwk.d!, 'base64url'));
    const img = image(100_000, [
      [3, certificateToPem(ca.certificate.der)],
      [50_001, d],
    ]);
    const r = searchKeys(img);
    assert.equal(r.certificates[0]!.offset, 3);
    assert.equal(r.certificates[0]!.isCa, true);
    assert.deepEqual(
      r.keys.map((k) => [k.offset, k.format, k.spkiSha256]),
      [[50_001, 'raw-p256', spkiFp(ca.key!)]],
    );
    assert.equal(r.pairs.length, 1);
    assert.ok(r.entropy.tested >= 1);
  });

  test('a PEM key pairs with the certificate of the same public key, not another', async () => {
    const device = await createRootCa({ subject: { CN: 'dev' } });
    const other = await createRootCa({ subject: { CN: 'other' } });
    const img = image(20_000, [
      [0, certificateToPem(other.certificate.der)],
      [2_000, certificateToPem(device.certificate.der)],
      [9_999, device.key!.export({ type: 'pkcs8', format: 'pem' }) as string],
    ]);
    const r = searchKeys(img);
    assert.equal(findCertificates(img).length, 2);
    assert.deepEqual(
      r.pairs.map((p) => [p.key.offset, p.certificate.offset, p.certificate.subject]),
      [[9_999, 2_000, 'CN=dev']],
    );
  });

  test('scalar helpers: invalid scalars are skipped, a rebuilt key round-trips', () => {
    const k = ec();
    const point = p256Point(new Uint8Array(createPublicKey(k).export({ type: 'spki', format: 'der' })))!;
    const d = new Uint8Array(Buffer.from(k.export({ format: 'jwk' }).d!, 'base64url'));
    const bytes = new Uint8Array(96); // zeros: not a scalar
    bytes.set(d, 64);
    assert.deepEqual(matchScalars(bytes, [0, 64], [point]), {
      matches: [{ offset: 64, point: 0 }],
      tested: 1,
    });
    assert.equal(scalarToPkcs8(new Uint8Array(32)), undefined);
    assert.deepEqual(
      findDerKeys(scalarToPkcs8(d)!).map((f) => f.spkiSha256),
      [spkiFp(k)],
    );
  });
});
