import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FixedClock } from '../core/clock.js';
import { isLabError } from '../core/errors.js';
import { SeededRng } from '../core/rng.js';
import { verifySignature } from './algorithms.js';
import { BACKDATE_MS, createRootCa, issueCertificate } from './ca.js';
import { signCertificate } from './certificate.js';
import { createCsr, parseCsr } from './csr.js';
import { basicConstraintsExtension, OID } from './extensions.js';
import { generatePrivateKey } from './keys.js';
import { buildName } from './names.js';
import { PROFILES } from './profiles.js';
import { keySigner } from './signer.js';

const clock = new FixedClock('2026-06-01T00:00:00Z');

async function csrFor(cn: string, sans: { type: 'dns' | 'ip'; value: string }[] = []) {
  const key = await generatePrivateKey('p256');
  return parseCsr(await createCsr({ subject: buildName({ O: 'Ciel x', CN: cn }), sans }, keySigner(key)));
}

test('root CA: self-signed, CA:TRUE critical, keyCertSign, SKI = AKI, reproducible serial with a seeded RNG', async () => {
  const a = await createRootCa({ subject: { CN: 'Lab CA' }, clock, rng: new SeededRng('s') });
  const c = a.certificate;
  assert.ok(verifySignature(c.spki, c.signatureAlgorithmOid, c.tbs, c.signature));
  assert.deepEqual(c.extensions.basicConstraints, { ca: true, pathLen: undefined, critical: true });
  assert.ok(c.extensions.keyUsage?.usages.includes('keyCertSign'));
  assert.deepEqual(c.extensions.subjectKeyId, c.extensions.authorityKeyId);
  assert.equal(c.notBefore.getTime(), clock.now().getTime() - BACKDATE_MS);
  const b = await createRootCa({ subject: { CN: 'Lab CA' }, clock, rng: new SeededRng('s') });
  assert.equal(a.certificate.serial, b.certificate.serial);
});

test('profiles decide the extensions; a CSR asking for CA:TRUE gets a device certificate and a warning', async () => {
  const ca = await createRootCa({ subject: { CN: 'Lab CA' }, clock });
  const key = await generatePrivateKey('p256');
  // A CSR whose extensionRequest asks for basicConstraints CA:TRUE.
  const { Extensions, Attribute } = await import('@peculiar/asn1-x509');
  const { AsnConvert } = await import('@peculiar/asn1-schema');
  const { Attributes, CertificationRequest, CertificationRequestInfo } = await import('@peculiar/asn1-csr');
  const { SubjectPublicKeyInfo } = await import('@peculiar/asn1-x509');
  const signer = keySigner(key);
  const info = new CertificationRequestInfo({
    version: 0,
    subject: buildName({ CN: 'sneaky' }),
    subjectPKInfo: AsnConvert.parse(signer.publicKeyInfo, SubjectPublicKeyInfo),
    attributes: new Attributes([
      new Attribute({
        type: OID.extensionRequest,
        values: [AsnConvert.serialize(new Extensions([basicConstraintsExtension(true)]))],
      }),
    ]),
  });
  const tbs = new Uint8Array(AsnConvert.serialize(info));
  const sig = await signer.sign(tbs);
  const { algorithmIdentifier } = await import('./algorithms.js');
  const der = new Uint8Array(
    AsnConvert.serialize(
      new CertificationRequest({
        certificationRequestInfo: info,
        signatureAlgorithm: algorithmIdentifier(signer.signatureAlgorithm),
        signature: sig.buffer as ArrayBuffer,
      }),
    ),
  );
  const issued = await issueCertificate({ ca, csr: parseCsr(der), profile: PROFILES.device, clock });
  assert.equal(issued.certificate.extensions.basicConstraints?.ca, false);
  assert.deepEqual(issued.certificate.extensions.extKeyUsage?.oids, [OID.clientAuth]);
  assert.match(issued.warnings.join(), /2\.5\.29\.19/);
});

test('broker SANs: CN plus loopback names when none asked; only CN + asked otherwise', async () => {
  const ca = await createRootCa({ subject: { CN: 'Lab CA' }, clock });
  const plain = await issueCertificate({ ca, csr: await csrFor('pc-42'), profile: PROFILES.broker, clock });
  assert.deepEqual(
    plain.certificate.extensions.subjectAltName?.names.map((n) => `${n.type}:${n.value}`),
    ['dns:pc-42', 'dns:localhost', 'ip:127.0.0.1', 'ip:::1'],
  );
  const asked = await issueCertificate({
    ca,
    csr: await csrFor('pc-42', [{ type: 'dns', value: 'broker.lab' }]),
    profile: PROFILES.broker,
    clock,
  });
  assert.deepEqual(
    asked.certificate.extensions.subjectAltName?.names.map((n) => n.value),
    ['pc-42', 'broker.lab'],
  );
  const device = await issueCertificate({
    ca,
    csr: await csrFor('m5go-01'),
    profile: PROFILES.device,
    clock,
  });
  assert.equal(device.certificate.extensions.subjectAltName, undefined);
});

test('validity is capped at the CA notAfter, with a warning', async () => {
  const ca = await createRootCa({ subject: { CN: 'Short CA' }, days: 30, clock });
  const r = await issueCertificate({
    ca,
    csr: await csrFor('d'),
    profile: PROFILES.device,
    days: 365,
    clock,
  });
  assert.equal(r.certificate.notAfter.getTime(), ca.certificate.notAfter.getTime());
  assert.match(r.warnings.join(), /capped/);
});

test('a non-CA issuer, an expired CA and the ca profile are refused with codes', async () => {
  const ca = await createRootCa({ subject: { CN: 'Lab CA' }, clock });
  const leafKey = await generatePrivateKey('p256');
  const leafDer = await signCertificate(
    {
      serial: Uint8Array.of(5),
      issuer: buildName({ CN: 'leaf' }),
      subject: buildName({ CN: 'leaf' }),
      notBefore: clock.now(),
      notAfter: new Date(clock.now().getTime() + 86_400_000),
      subjectPublicKeyInfo: keySigner(leafKey).publicKeyInfo,
      extensions: [basicConstraintsExtension(false)],
    },
    keySigner(leafKey),
  );
  const { parseCertificateDer } = await import('./certificate.js');
  const notCa = { certificate: parseCertificateDer(leafDer), signer: keySigner(leafKey) };
  await assert.rejects(
    issueCertificate({ ca: notCa, csr: await csrFor('x'), profile: PROFILES.device, clock }),
    (e) => isLabError(e, 'ERR_PKI_ISSUER_NOT_CA'),
  );
  const later = new FixedClock('2040-01-01T00:00:00Z');
  await assert.rejects(
    issueCertificate({ ca, csr: await csrFor('x'), profile: PROFILES.device, clock: later }),
    (e) => isLabError(e, 'ERR_PKI_ISSUER_EXPIRED'),
  );
  await assert.rejects(issueCertificate({ ca, csr: await csrFor('x'), profile: PROFILES.ca, clock }), (e) =>
    isLabError(e, 'ERR_PKI_PROFILE_UNKNOWN'),
  );
});

test('an external signer that only returns raw R‖S (like a secure element) signs a CSR and a CA', async () => {
  const { generateKeyPairSync, sign } = await import('node:crypto');
  const { ecdsaRawToDer } = await import('./signer.js');
  const { publicKeyDer } = await import('./keys.js');
  const { validatePath } = await import('./validate.js');
  // The "chip": the private key stays inside this closure; only the public key and a sign operation leave.
  const chip = () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    let uses = 0;
    const signer = {
      publicKeyInfo: publicKeyDer(publicKey),
      signatureAlgorithm: 'ecdsa-with-SHA256' as const,
      sign: async (tbs: Uint8Array) => {
        uses++;
        return ecdsaRawToDer(sign('sha256', tbs, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
      },
    };
    return { signer, uses: () => uses };
  };
  const caChip = chip();
  const ca = await createRootCa({ subject: { CN: 'Chip CA' }, signer: caChip.signer, clock });
  assert.equal(ca.key, undefined);
  const deviceChip = chip();
  const csr = parseCsr(await createCsr({ subject: buildName({ CN: 'm5go-01' }) }, deviceChip.signer));
  const issued = await issueCertificate({ ca, csr, profile: PROFILES.device, clock });
  assert.equal(caChip.uses(), 2); // its own certificate, then the device's
  assert.equal(deviceChip.uses(), 1); // the CSR's proof of possession
  const v = validatePath({
    leaf: issued.certificate,
    anchors: [ca.certificate],
    purpose: 'client',
    at: clock.now(),
  });
  assert.deepEqual(v.failures, []);
  assert.ok(v.valid);
});
