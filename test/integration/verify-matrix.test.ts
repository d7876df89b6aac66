// The negative fixture matrix (after eclipse/mosquitto test/ssl), generated at test time on a
// fixed clock so nothing in it ever expires, and judged twice: by validatePath and by the real
// `openssl verify` at the same -attime. For every cell both must agree on the verdict, and the
// openssl error number of our first failure must be the one openssl prints, at the same depth.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { FixedClock } from '../../src/core/clock.js';
import { createRootCa, type IssuingCa, issueCertificate } from '../../src/pki/ca.js';
import {
  certificateToPem,
  type ParsedCertificate,
  parseCertificateDer,
  signCertificate,
} from '../../src/pki/certificate.js';
import { crlToPem, type ParsedCrl, parseCrl, signCrl } from '../../src/pki/crl.js';
import { createCsr, parseCsr } from '../../src/pki/csr.js';
import {
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  extKeyUsageExtension,
  keyIdentifier,
  keyUsageExtension,
  OID,
  subjectKeyIdentifierExtension,
} from '../../src/pki/extensions.js';
import { generatePrivateKey } from '../../src/pki/keys.js';
import { buildName } from '../../src/pki/names.js';
import { PROFILES, type Profile } from '../../src/pki/profiles.js';
import { keySigner } from '../../src/pki/signer.js';
import {
  opensslErrorFor,
  type ValidatePathOptions,
  type VerifyReason,
  validatePath,
} from '../../src/pki/validate.js';
import { hasOpenssl, join, openssl, tempDir } from '../helpers/openssl.js';

const skip = hasOpenssl()
  ? false
  : 'openssl CLI not found on PATH (.ci/run installs it): the verify oracle cannot run';
const AT = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
const clock = new FixedClock(AT);
const LAB = { C: 'FR', O: 'Ciel Lab' } as const;

/**
 * One cell: its name, the `openssl verify` arguments (fixture names instead of files; a comma
 * joins several certificates into one bundle; the last word is the leaf), and what both must
 * say. The expectation is pinned so that a fixture gone wrong in a way both implementations
 * agree on still fails the test.
 */
const MATRIX: readonly (readonly [string, string, 'valid' | VerifyReason])[] = [
  ['valid device certificate', '-CAfile ca -purpose sslclient device', 'valid'],
  [
    'valid broker certificate',
    '-CAfile ca -purpose sslserver -verify_hostname broker.lab.example broker',
    'valid',
  ],
  ['valid broker certificate by IP', '-CAfile ca -verify_ip 127.0.0.1 broker', 'valid'],
  ['unrelated root', '-CAfile other-ca device', 'ISSUER_UNKNOWN'],
  ['same-DN fake root (other key)', '-CAfile fake-ca device', 'ISSUER_UNKNOWN'],
  ['chain through an intermediate', '-CAfile ca -untrusted int -purpose sslclient int-device', 'valid'],
  ['intermediate missing', '-CAfile ca int-device', 'ISSUER_UNKNOWN'],
  ['intermediate as the only anchor', '-CAfile int int-device', 'ANCHOR_NOT_SELF_SIGNED'],
  [
    'chain longer than -verify_depth',
    '-CAfile ca -untrusted int -verify_depth 0 int-device',
    'CHAIN_TOO_LONG',
  ],
  [
    'pathlen 0 exceeded (intermediate under intermediate)',
    '-CAfile ca -untrusted int,int2 int2-device',
    'PATH_LENGTH_EXCEEDED',
  ],
  ['issuer not a CA (leaf signed by a device)', '-CAfile ca -untrusted device forged', 'ISSUER_NOT_CA'],
  ['self-signed leaf, not trusted', '-CAfile ca other-ca', 'SELF_SIGNED_NOT_TRUSTED'],
  ['untrusted root in the chain', '-CAfile other-ca -untrusted ca device', 'SELF_SIGNED_IN_CHAIN'],
  ['expired', '-CAfile ca expired', 'CERT_EXPIRED'],
  ['not yet valid', '-CAfile ca not-yet-valid', 'CERT_NOT_YET_VALID'],
  ['expired intermediate', '-CAfile ca -untrusted old-int old-int-device', 'CERT_EXPIRED'],
  ['not revoked', '-CAfile ca -CRLfile ca-crl -crl_check device', 'valid'],
  ['revoked', '-CAfile ca -CRLfile ca-crl -crl_check revoked', 'REVOKED'],
  [
    'revoked intermediate',
    '-CAfile ca -untrusted int -CRLfile ca-crl -CRLfile int-crl -crl_check_all int-device',
    'REVOKED',
  ],
  ['no CRL', '-CAfile ca -crl_check device', 'CRL_MISSING'],
  ['CRL expired', '-CAfile ca -CRLfile stale-crl -crl_check device', 'CRL_EXPIRED'],
  ['CRL signed by another key', '-CAfile ca -CRLfile forged-crl -crl_check device', 'CRL_SIGNATURE_INVALID'],
  ['wrong EKU: broker as a client', '-CAfile ca -purpose sslclient broker', 'PURPOSE'],
  ['wrong EKU: device as a server', '-CAfile ca -purpose sslserver device', 'PURPOSE'],
  ['wrong SAN', '-CAfile ca -verify_hostname other.example broker', 'HOSTNAME_MISMATCH'],
  ['wrong IP', '-CAfile ca -verify_ip 10.9.9.9 broker', 'IP_ADDRESS_MISMATCH'],
  ['tampered signature', '-CAfile ca tampered', 'SIGNATURE_INVALID'],
];

/** The certificates and CRLs of the matrix, by name, each also written as <name>.pem. */
async function fixtures(dir: string) {
  const certs = new Map<string, ParsedCertificate>();
  const crls = new Map<string, ParsedCrl>();
  const putCert = (name: string, c: ParsedCertificate) => {
    certs.set(name, c);
    writeFileSync(join(dir, `${name}.pem`), certificateToPem(c.der));
    return c;
  };
  const putCrl = (name: string, der: Uint8Array) => {
    crls.set(name, parseCrl(der));
    writeFileSync(join(dir, `${name}.pem`), crlToPem(der));
  };
  const root = async (name: string, CN: string) => {
    const ca = await createRootCa({ subject: { ...LAB, CN }, clock });
    putCert(name, ca.certificate);
    return ca;
  };
  type IssueOptions = { cn?: string; notBefore?: Date; notAfter?: Date; clock?: FixedClock };
  const issue = async (name: string, ca: IssuingCa, profile: Profile, o: IssueOptions = {}) => {
    const signer = keySigner(await generatePrivateKey('p256'));
    const csr = parseCsr(await createCsr({ subject: buildName({ ...LAB, CN: o.cn ?? name }) }, signer));
    const { notBefore, notAfter } = o;
    const { certificate } = await issueCertificate({
      ca,
      csr,
      profile,
      clock: o.clock ?? clock,
      notBefore,
      notAfter,
    });
    return { certificate: putCert(name, certificate), signer };
  };
  const days = (n: number) => new Date(AT.getTime() + n * DAY);

  const ca = await root('ca', 'Lab CA');
  await root('fake-ca', 'Lab CA'); // same subject, its own key
  await root('other-ca', 'Other CA');
  const device = await issue('device', ca, PROFILES.device);
  // The broker's CN becomes its DNS SAN, plus localhost, 127.0.0.1 and ::1 (profiles.ts).
  const broker = await issue('broker', ca, PROFILES.broker, { cn: 'broker.lab.example' });
  const int = await issue('int', ca, PROFILES.intermediate);
  await issue('int-device', int, PROFILES.device);
  // pki refuses to issue a CA under a pathlen-0 CA (it could never validate), so this
  // intermediate is built directly: what a misconfigured third-party CA would produce.
  const int2Signer = keySigner(await generatePrivateKey('p256'));
  const int2Der = await signCertificate(
    {
      serial: Uint8Array.from([0x43]),
      issuer: int.certificate.subject,
      subject: buildName({ ...LAB, CN: 'int2' }),
      notBefore: days(-1),
      notAfter: days(300),
      subjectPublicKeyInfo: int2Signer.publicKeyInfo,
      extensions: [
        basicConstraintsExtension(true, 0),
        keyUsageExtension(['digitalSignature', 'keyCertSign', 'cRLSign']),
        subjectKeyIdentifierExtension(keyIdentifier(int2Signer.publicKeyInfo)),
        authorityKeyIdentifierExtension(int.certificate.extensions.subjectKeyId!),
      ],
    },
    int.signer,
  );
  const int2 = { certificate: putCert('int2', parseCertificateDer(int2Der)), signer: int2Signer };
  await issue('int2-device', int2, PROFILES.device);
  const oldInt = await issue('old-int', ca, PROFILES.intermediate, {
    notBefore: days(-400),
    notAfter: days(-30),
  });
  // Issued while its CA was still valid: the CA refuses to issue from an expired certificate.
  const then = new FixedClock(days(-100));
  await issue('old-int-device', oldInt, PROFILES.device, {
    notBefore: days(-100),
    notAfter: days(-40),
    clock: then,
  });
  await issue('expired', ca, PROFILES.device, { notBefore: days(-100), notAfter: days(-1) });
  await issue('not-yet-valid', ca, PROFILES.device, { notBefore: days(1), notAfter: days(100) });
  const revoked = await issue('revoked', ca, PROFILES.device);

  // A certificate "issued" by the device: what a stolen device key would let anyone make.
  const forgedKey = keySigner(await generatePrivateKey('p256'));
  const d = device.certificate;
  const forged = await signCertificate(
    {
      serial: Uint8Array.from([0x42]),
      issuer: d.subject,
      subject: buildName({ ...LAB, CN: 'forged' }),
      notBefore: days(-1),
      notAfter: days(30),
      subjectPublicKeyInfo: forgedKey.publicKeyInfo,
      extensions: [
        basicConstraintsExtension(false),
        keyUsageExtension(['digitalSignature']),
        extKeyUsageExtension([OID.clientAuth]),
        subjectKeyIdentifierExtension(keyIdentifier(forgedKey.publicKeyInfo)),
        authorityKeyIdentifierExtension(d.extensions.subjectKeyId!),
      ],
    },
    device.signer,
  );
  putCert('forged', parseCertificateDer(forged));
  const tampered = Uint8Array.from(broker.certificate.der);
  tampered[tampered.length - 1]! ^= 0x01; // last octet of the signature value
  putCert('tampered', parseCertificateDer(tampered));

  const crl = async (
    name: string,
    issuer: IssuingCa,
    o: { revoke?: ParsedCertificate[]; from: number; to: number; signer?: IssuingCa['signer'] },
  ) =>
    putCrl(
      name,
      await signCrl(
        {
          issuer: issuer.certificate.subject,
          issuerKeyId: issuer.certificate.extensions.subjectKeyId,
          thisUpdate: days(o.from),
          nextUpdate: days(o.to),
          crlNumber: 1,
          entries: (o.revoke ?? []).map((c) => ({
            serial: c.serial,
            revokedAt: days(-1),
            reason: 'keyCompromise' as const,
          })),
        },
        o.signer ?? issuer.signer,
      ),
    );
  await crl('ca-crl', ca, { revoke: [revoked.certificate, int.certificate], from: -1, to: 7 });
  await crl('int-crl', int, { from: -1, to: 7 });
  await crl('stale-crl', ca, { from: -30, to: -2 });
  await crl('forged-crl', ca, { from: -1, to: 7, signer: device.signer });
  return { certs, crls };
}

describe('verify matrix: validatePath against openssl verify', { skip }, () => {
  const dir = tempDir({ after }, 'mqtts-lab-verify-');
  let fx: Awaited<ReturnType<typeof fixtures>>;
  before(async () => {
    fx = await fixtures(dir);
  });

  let bundles = 0;
  const bundle = (members: string) => {
    const file = join(dir, `bundle-${++bundles}.pem`);
    writeFileSync(
      file,
      members
        .split(',')
        .map((m) => certificateToPem(cert(m).der))
        .join(''),
    );
    return file;
  };
  const cert = (name: string) => fx.certs.get(name) ?? assert.fail(`no fixture ${name}`);

  // How each openssl flag reads as a validatePath option; a flag's function returns its argv value.
  type Draft = { -readonly [K in keyof ValidatePathOptions]?: ValidatePathOptions[K] };
  const host = (o: Draft, v: string) => {
    o.hostname = v;
    return v;
  };
  const WITH_VALUE: Readonly<Record<string, (o: Draft, v: string) => string>> = {
    '-CAfile': (o, v) => {
      o.anchors = v.split(',').map(cert);
      return bundle(v);
    },
    '-untrusted': (o, v) => {
      o.intermediates = v.split(',').map(cert);
      return bundle(v);
    },
    '-CRLfile': (o, v) => {
      o.crls = [...(o.crls ?? []), fx.crls.get(v) ?? assert.fail(`no CRL ${v}`)];
      return join(dir, `${v}.pem`);
    },
    '-purpose': (o, v) => {
      o.purpose = v === 'sslserver' ? 'server' : 'client';
      return v;
    },
    '-verify_hostname': host,
    '-verify_ip': host,
    '-verify_depth': (o, v) => {
      o.maxDepth = Number(v);
      return v;
    },
  };
  const SWITCHES: Readonly<Record<string, (o: Draft) => void>> = {
    '-crl_check': (o) => {
      o.crlCheck = 'leaf';
      o.crls ??= [];
    },
    '-crl_check_all': (o) => {
      o.crlCheck = 'all';
      o.crls ??= [];
    },
  };

  /** The cell's words as openssl argv (files in `dir`) and as validatePath options. */
  const translate = (words: readonly string[]) => {
    const argv = ['verify', '-no-CApath', '-no-CAstore', '-attime', String(AT.getTime() / 1000)];
    const o: Draft = { at: AT };
    for (let i = 0; i < words.length - 1; i++) {
      const flag = words[i]!;
      const sw = SWITCHES[flag];
      if (sw) {
        sw(o);
        argv.push(flag);
        continue;
      }
      const withValue = WITH_VALUE[flag] ?? assert.fail(`matrix: unknown flag ${flag}`);
      argv.push(flag, withValue(o, words[++i]!));
    }
    const leaf = words[words.length - 1]!;
    argv.push(join(dir, `${leaf}.pem`));
    return { argv, options: { ...o, leaf: cert(leaf), anchors: o.anchors ?? [] } };
  };

  for (const [name, command, expect] of MATRIX) {
    test(`${name}: openssl verify ${command}`, () => {
      const { argv, options } = translate(command.split(' '));
      const ours = validatePath(options);
      const r = openssl(argv, { cwd: dir });
      const out = r.stdout + r.stderr;
      const first = /error (\d+) at (\d+) depth lookup/.exec(out);
      const context = `openssl ${argv.join(' ')}\n${out}\nours: ${JSON.stringify(ours.failures)}`;

      assert.equal(ours.valid, r.status === 0, `verdicts differ\n${context}`);
      if (expect === 'valid') {
        assert.equal(ours.valid, true, context);
        assert.equal(first, null, context);
        return;
      }
      assert.equal(ours.failures[0]?.reason, expect, context);
      assert.ok(first, `openssl printed no error line\n${context}`);
      assert.equal(opensslErrorFor(expect), Number(first[1]), `openssl error number differs\n${context}`);
      assert.equal(ours.failures[0]?.depth, Number(first[2]), `depth differs\n${context}`);
    });
  }
});
