// Certificates for the tests of this folder, made by the lab's own PKI.
import { createECDH, createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { FixedClock } from '../../core/clock.js';
import { SeededRng } from '../../core/rng.js';
import { createRootCa, issueCertificate } from '../../pki/ca.js';
import { createCsr, parseCsr } from '../../pki/csr.js';
import { generatePrivateKey, publicKeyDer } from '../../pki/keys.js';
import { buildName } from '../../pki/names.js';
import { PROFILES } from '../../pki/profiles.js';
import { ecdsaRawToDer, keySigner, type Signer } from '../../pki/signer.js';

export interface TestCertificates {
  /** "O=mqtts-lab test, CN=Test CA", P-256, self-signed. */
  readonly ca: Uint8Array;
  readonly caSerial: string;
  /** "O=mqtts-lab test, CN=localhost", RSA 2048, issued by the CA. */
  readonly broker: Uint8Array;
  /** "O=mqtts-lab test, CN=m5go-01", P-256, issued by the CA. */
  readonly device: Uint8Array;
  readonly deviceSerial: string;
}

let cached: Promise<TestCertificates> | undefined;

/** Real certificates, generated once per run (fresh keys, valid signatures). */
export function testCertificates(): Promise<TestCertificates> {
  cached ??= make();
  return cached;
}

async function make(): Promise<TestCertificates> {
  const ca = await createRootCa({ subject: { O: 'mqtts-lab test', CN: 'Test CA' } });
  const issue = async (cn: string, keyType: 'p256' | 'rsa-2048', profile: 'broker' | 'device') => {
    const key = await generatePrivateKey(keyType);
    const csr = parseCsr(
      await createCsr({ subject: buildName({ O: 'mqtts-lab test', CN: cn }) }, keySigner(key)),
    );
    return (await issueCertificate({ ca, csr, profile: PROFILES[profile] })).certificate;
  };
  const broker = await issue('localhost', 'rsa-2048', 'broker');
  const device = await issue('m5go-01', 'p256', 'device');
  return {
    ca: ca.certificate.der,
    caSerial: ca.certificate.serial,
    broker: broker.der,
    device: device.der,
    deviceSerial: device.serial,
  };
}

/**
 * Certificates that are the same bytes on every run, for the fuzz test (so each of its cases is
 * reproducible from the seed alone): P-256 keys derived from a label, a fixed clock, a seeded
 * serial, and a deterministic placeholder signature. Well-formed X.509 whose signatures do not
 * verify: the dissector reads certificates, it never verifies them.
 */
export async function fixedCertificates(): Promise<{
  ca: Uint8Array;
  broker: Uint8Array;
  device: Uint8Array;
}> {
  const make = async (cn: string) => {
    const ca = await createRootCa({
      subject: { O: 'mqtts-lab test', CN: cn },
      signer: placeholderSigner(cn),
      clock: new FixedClock('2026-01-01T00:00:00Z'),
      rng: new SeededRng(`fuzz ${cn}`),
    });
    return ca.certificate.der;
  };
  return { ca: await make('Test CA'), broker: await make('localhost'), device: await make('m5go-01') };
}

function placeholderSigner(label: string): Signer {
  const ecdh = createECDH('prime256v1');
  const d = createHash('sha256').update(label).digest();
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey();
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    d: b64(d),
    x: b64(point.subarray(1, 33)),
    y: b64(point.subarray(33)),
  };
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  const hash = (tag: string, tbs: Uint8Array) => createHash('sha256').update(tag).update(tbs).digest();
  return {
    publicKeyInfo: publicKeyDer(createPublicKey(key)),
    signatureAlgorithm: 'ecdsa-with-SHA256',
    sign: async (tbs) => ecdsaRawToDer(Buffer.concat([hash('r', tbs), hash('s', tbs)])),
  };
}
