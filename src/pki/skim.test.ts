import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { hasOpenssl, join, openssl, tempDir } from '../../test/helpers/openssl.js';
import { createRootCa, issueCertificate } from './ca.js';
import { parseCertificateDer } from './certificate.js';
import { createCsr, parseCsr } from './csr.js';
import { generatePrivateKey } from './keys.js';
import { buildName, nameAttributes } from './names.js';
import { PROFILES } from './profiles.js';
import { keySigner } from './signer.js';
import { type CertificateSkim, skimCertificate } from './skim.js';

/** What the full parser reads of the same fields: the oracle of the quick reader. */
function fullReading(der: Uint8Array): CertificateSkim | 'refused' {
  try {
    const c = parseCertificateDer(der);
    return {
      serial: c.serial,
      issuer: nameAttributes(c.issuer),
      subject: nameAttributes(c.subject),
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      spki: c.spki,
      subjectAltNames: c.extensions.subjectAltName?.names ?? [],
    };
  } catch {
    return 'refused';
  }
}

const plain = (s: CertificateSkim) => ({
  ...s,
  notBefore: s.notBefore.getTime(),
  notAfter: s.notAfter.getTime(),
  spki: Buffer.from(s.spki).toString('hex'),
});

function sameAsFull(der: Uint8Array, what: string): 'read' | 'declined' {
  const quick = skimCertificate(der);
  if (quick === undefined) return 'declined';
  const full = fullReading(der);
  assert.notEqual(full, 'refused', `${what}: the quick reader read what the full parser refuses`);
  assert.deepEqual(plain(quick), plain(full as CertificateSkim), what);
  return 'read';
}

let lab: Promise<Uint8Array[]> | undefined;

/** Certificates of the lab's PKI, made once per run: a P-256 CA, an RSA broker with DNS and IP names, a P-256 device. */
function labCertificates(): Promise<Uint8Array[]> {
  lab ??= makeLabCertificates();
  return lab;
}

async function makeLabCertificates(): Promise<Uint8Array[]> {
  const ca = await createRootCa({ subject: { C: 'FR', O: 'Ciel Dupont', CN: 'Lab CA' } });
  const issue = async (cn: string, keyType: 'p256' | 'rsa-2048', profile: 'broker' | 'device') => {
    const key = await generatePrivateKey(keyType);
    const csr = parseCsr(
      await createCsr({ subject: buildName({ O: 'iot, "Dupont"', CN: cn }) }, keySigner(key)),
    );
    return (
      await issueCertificate({
        ca,
        csr,
        profile: PROFILES[profile],
        ...(profile === 'broker' && {
          sans: [
            { type: 'ip', value: '::1' },
            { type: 'ip', value: '2001:db8:0:0:1:0:0:1' },
          ],
        }),
      })
    ).certificate.der;
  };
  return [
    ca.certificate.der,
    await issue('broker', 'rsa-2048', 'broker'),
    await issue('m5go-01', 'p256', 'device'),
  ];
}

/** Certificates made by openssl with what the lab's PKI never writes: UTF-8 names, multi-valued RDNs, IA5 e-mail, GeneralizedTime, URIs. */
function opensslCertificates(dir: string): Uint8Array[] {
  const cases: string[][] = [
    [
      '-utf8',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-384',
      '-subj',
      '/C=FR/O=Société Générale/OU=capteurs/CN=capteur-été',
      '-addext',
      'subjectAltName=DNS:capteur.example,email:ops@example.org,URI:https://example.org/x,IP:10.0.0.7,IP:fe80::1:0:0:0:1',
      '-days',
      '10000',
    ],
    [
      '-newkey',
      'rsa:2048',
      '-multivalue-rdn',
      '-subj',
      '/CN=a+O=b/emailAddress=x@example.org/CN= edge # ',
      '-set_serial',
      '0',
    ],
    [
      '-newkey',
      'ed25519',
      '-subj',
      '/CN=ed',
      '-set_serial',
      '0x80ff',
      '-addext',
      'subjectAltName=IP:0:0:0:0:0:0:0:0',
    ],
  ];
  return cases.map((args, i) => {
    const out = join(dir, `c${i}.der`);
    const r = openssl([
      'req',
      '-x509',
      '-nodes',
      '-keyout',
      join(dir, `k${i}.pem`),
      '-outform',
      'DER',
      '-out',
      out,
      ...args,
    ]);
    assert.equal(r.status, 0, r.stderr);
    return new Uint8Array(readFileSync(out));
  });
}

test('the quick reader reads the lab PKI’s certificates exactly as the full parser', async () => {
  for (const [i, der] of (await labCertificates()).entries()) {
    assert.equal(sameAsFull(der, `lab certificate ${i}`), 'read');
  }
  const [, broker] = await labCertificates();
  assert.deepEqual(
    skimCertificate(broker!)?.subjectAltNames.map((n) => `${n.type}:${n.value}`),
    ['dns:broker', 'ip:::1', 'ip:2001:db8::1:0:0:1'],
  );
});

test(
  'openssl’s certificates (UTF-8, multi-valued RDN, e-mail, GeneralizedTime, URI, IPv6, Ed25519) read as the full parser reads them',
  { skip: !hasOpenssl() && 'no openssl' },
  (t) => {
    const certs = opensslCertificates(tempDir(t));
    for (const [i, der] of certs.entries()) assert.equal(sameAsFull(der, `openssl certificate ${i}`), 'read');
    const first = skimCertificate(certs[0]!)!;
    assert.equal(first.subject.find((a) => a.type === 'CN')?.value, 'capteur-été');
    assert.ok(first.notAfter.getUTCFullYear() >= 2050, 'notAfter past 2049 is a GeneralizedTime');
    assert.equal(skimCertificate(certs[1]!)?.serial, '00');
    assert.equal(skimCertificate(certs[2]!)?.serial, '80FF');
  },
);

test('every one-byte change of a certificate is read as the full parser reads it, or left to it', async () => {
  const [, broker, device] = await labCertificates();
  let read = 0;
  let declined = 0;
  for (const der of [broker!, device!]) {
    for (let at = 0; at < der.length; at++) {
      for (const flip of [0x01, 0x80]) {
        const m = Uint8Array.from(der);
        m[at]! ^= flip;
        if (sameAsFull(m, `byte ${at} ^ 0x${flip.toString(16)}`) === 'read') read++;
        else declined++;
      }
    }
    for (let cut = 0; cut < der.length; cut += 7) {
      assert.equal(skimCertificate(der.subarray(0, cut)), undefined, `cut at ${cut}`);
    }
  }
  // Both answers occur: a change in a signature or a key is still a certificate, a change in a
  // length or a tag is not the usual shape.
  assert.ok(read > 500, `read ${read}`);
  assert.ok(declined > 500, `declined ${declined}`);
});

test('shapes the quick reader leaves to the full parser', async () => {
  const [, , device] = await labCertificates();
  const der = device!;
  const at = (needle: number[]) => Buffer.from(der).indexOf(Buffer.from(needle));
  const swap = (offset: number, value: number) => {
    const m = Uint8Array.from(der);
    m[offset] = value;
    return m;
  };
  // The CN "m5go-01" as a BMPString (tag 0x1e): a string type read only by the full parser.
  const cn = at([0x0c, 0x07, ...Buffer.from('m5go-01')]);
  assert.ok(cn > 0);
  assert.equal(skimCertificate(swap(cn, 0x1e)), undefined);
  // A long-form length where the short form fits: not DER.
  const longForm = Uint8Array.from([...der.subarray(0, cn + 1), 0x81, ...der.subarray(cn + 1)]);
  assert.equal(skimCertificate(longForm), undefined);
  // Not a certificate at all.
  assert.equal(skimCertificate(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01)), undefined);
  assert.equal(skimCertificate(new Uint8Array(0)), undefined);
});
