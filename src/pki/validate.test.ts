import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OctetString } from '@peculiar/asn1-schema';
import { Extension } from '@peculiar/asn1-x509';
import { FixedClock } from '../core/clock.js';
import { isLabError } from '../core/errors.js';
import { SeededRng } from '../core/rng.js';
import { type ParsedCertificate, parseCertificateDer, signCertificate } from './certificate.js';
import { type ParsedCrl, parseCrl, signCrl } from './crl.js';
import {
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  extKeyUsageExtension,
  type KeyUsageName,
  keyIdentifier,
  keyUsageExtension,
  OID,
  type SanEntry,
  subjectAltNameExtension,
  subjectKeyIdentifierExtension,
} from './extensions.js';
import { generatePrivateKey } from './keys.js';
import { buildName } from './names.js';
import { keySigner, type Signer } from './signer.js';
import { opensslErrorFor, type ValidatePathOptions, VERIFY_REASONS, validatePath } from './validate.js';

const AT = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
const rng = new SeededRng('validate.test');

interface Id {
  readonly cert: ParsedCertificate;
  readonly signer: Signer;
}
/** from/to: validity in ms relative to AT; key: reuse a key pair (a re-issued CA). */
type MkOptions = Partial<{ issuer: Id; ca: boolean; pathLen: number; ku: KeyUsageName[]; eku: string[] }> &
  Partial<{ sans: SanEntry[]; from: number; to: number; extra: Extension[]; key: Signer; rsa: boolean }>;

/** A certificate exactly as asked, including the ones a careful CA refuses to issue. */
async function mk(cn: string, o: MkOptions = {}): Promise<Id> {
  const signer = o.key ?? keySigner(await generatePrivateKey(o.rsa ? 'rsa-2048' : 'p256'));
  const issuer = o.issuer;
  const subject = buildName({ O: 'Lab', CN: cn });
  const der = await signCertificate(
    {
      serial: rng.bytes(8),
      issuer: issuer ? issuer.cert.subject : subject,
      subject,
      notBefore: new Date(AT.getTime() + (o.from ?? -DAY)),
      notAfter: new Date(AT.getTime() + (o.to ?? 365 * DAY)),
      subjectPublicKeyInfo: signer.publicKeyInfo,
      extensions: [
        basicConstraintsExtension(o.ca ?? false, o.pathLen),
        keyUsageExtension(o.ku ?? (o.ca ? ['keyCertSign', 'cRLSign'] : ['digitalSignature'])),
        ...(o.eku ? [extKeyUsageExtension(o.eku)] : []),
        ...(o.sans ? [subjectAltNameExtension(o.sans, false)] : []),
        subjectKeyIdentifierExtension(keyIdentifier(signer.publicKeyInfo)),
        authorityKeyIdentifierExtension(keyIdentifier((issuer?.signer ?? signer).publicKeyInfo)),
        ...(o.extra ?? []),
      ],
    },
    issuer?.signer ?? signer,
  );
  return { cert: parseCertificateDer(der), signer };
}

async function crl(
  issuer: Id,
  o: { revoke?: Id[]; from?: number; to?: number; signer?: Signer } = {},
): Promise<ParsedCrl> {
  const der = await signCrl(
    {
      issuer: issuer.cert.subject,
      thisUpdate: new Date(AT.getTime() + (o.from ?? -DAY)),
      nextUpdate: new Date(AT.getTime() + (o.to ?? 7 * DAY)),
      crlNumber: 1,
      entries: (o.revoke ?? []).map((r) => ({
        serial: r.cert.serial,
        revokedAt: new Date(AT.getTime() - DAY),
        reason: 'keyCompromise' as const,
      })),
    },
    o.signer ?? issuer.signer,
  );
  return parseCrl(der);
}

const root = await mk('Root', { ca: true });
const int = await mk('Int', { ca: true, pathLen: 0, issuer: root });
const broker = await mk('broker.example', {
  issuer: root,
  eku: [OID.serverAuth],
  sans: [
    { type: 'dns', value: 'broker.example' },
    { type: 'ip', value: '10.0.0.1' },
  ],
});
const device = await mk('device-1', { issuer: int, eku: [OID.clientAuth] });

function check(options: Partial<ValidatePathOptions> & { leaf: ParsedCertificate }) {
  return validatePath({ anchors: [root.cert], at: AT, ...options } as ValidatePathOptions);
}
const reasons = (r: ReturnType<typeof validatePath>) => r.failures.map((f) => `${f.reason}@${f.depth}`);

test('a good path validates and ends at the anchor', () => {
  const r = check({ leaf: broker.cert, purpose: 'server', hostname: 'broker.example' });
  assert.deepEqual(reasons(r), []);
  assert.equal(r.valid, true);
  assert.equal(r.chain.length, 2);
  assert.ok(Object.isFrozen(r) && Object.isFrozen(r.failures));
});

test('a chain through an intermediate needs the intermediate', () => {
  const r = check({ leaf: device.cert, intermediates: [int.cert], purpose: 'client' });
  assert.equal(r.valid, true);
  assert.deepEqual(
    r.chain.map((c) => c.subject),
    [device.cert.subject, int.cert.subject, root.cert.subject],
  );
  assert.deepEqual(reasons(check({ leaf: device.cert })), ['ISSUER_UNKNOWN@0']);
  assert.deepEqual(reasons(check({ leaf: device.cert, intermediates: [int.cert], maxDepth: 0 })), [
    'CHAIN_TOO_LONG@1',
  ]);
});

test('RFC 5280 §6.1.3 (a)(4): unrelated and same-name impostor roots are not issuers', async () => {
  const other = await mk('Other', { ca: true });
  const fake = await mk('Root', { ca: true }); // same subject, different key: AKI ≠ SKI
  assert.deepEqual(reasons(check({ leaf: broker.cert, anchors: [other.cert] })), ['ISSUER_UNKNOWN@0']);
  assert.deepEqual(reasons(check({ leaf: broker.cert, anchors: [fake.cert] })), ['ISSUER_UNKNOWN@0']);
  // With the right anchor present too, the impostor is skipped.
  assert.equal(check({ leaf: broker.cert, anchors: [fake.cert, root.cert] }).valid, true);
});

test('self-signed certificates: trusted only as anchors', () => {
  assert.equal(check({ leaf: root.cert }).valid, true);
  assert.deepEqual(reasons(check({ leaf: root.cert, anchors: [] })), ['SELF_SIGNED_NOT_TRUSTED@0']);
  assert.deepEqual(reasons(check({ leaf: broker.cert, anchors: [], intermediates: [root.cert] })), [
    'SELF_SIGNED_IN_CHAIN@1',
  ]);
  assert.deepEqual(reasons(check({ leaf: device.cert, anchors: [int.cert] })), ['ANCHOR_NOT_SELF_SIGNED@1']);
});

test('RFC 5280 §6.1.3 (a)(2): validity of every certificate, the anchor included, bounds inclusive', async () => {
  const expired = await mk('old', { issuer: root, from: -30 * DAY, to: -DAY });
  const future = await mk('new', { issuer: root, from: DAY, to: 30 * DAY });
  assert.deepEqual(reasons(check({ leaf: expired.cert })), ['CERT_EXPIRED@0']);
  assert.deepEqual(reasons(check({ leaf: future.cert })), ['CERT_NOT_YET_VALID@0']);
  assert.equal(check({ leaf: expired.cert, at: expired.cert.notAfter }).valid, true);
  assert.equal(check({ leaf: future.cert, at: future.cert.notBefore }).valid, true);
  const oldRoot = await mk('Old Root', { ca: true, from: -30 * DAY, to: -DAY });
  const leaf = await mk('leaf', { issuer: oldRoot });
  // openssl checks root to leaf, so the anchor's expiry comes first.
  assert.deepEqual(reasons(check({ leaf: leaf.cert, anchors: [oldRoot.cert] })), ['CERT_EXPIRED@1']);
});

test('the validation time defaults to the injected clock', async () => {
  const clock = new FixedClock(AT);
  assert.equal(validatePath({ leaf: broker.cert, anchors: [root.cert], clock }).valid, true);
  clock.advance(400 * DAY);
  assert.deepEqual(reasons(validatePath({ leaf: broker.cert, anchors: [root.cert], clock })), [
    'CERT_EXPIRED@1',
    'CERT_EXPIRED@0',
  ]);
});

test('RFC 5280 §6.1.3 (a)(1): a tampered signature fails', () => {
  const der = Uint8Array.from(broker.cert.der);
  der[der.length - 1]! ^= 0x01;
  assert.deepEqual(reasons(check({ leaf: parseCertificateDer(der) })), ['SIGNATURE_INVALID@0']);
});

test('an algorithm we cannot verify is a verdict, not an exception', () => {
  const sha1 = { ...broker.cert, signatureAlgorithmOid: '1.2.840.10045.4.1' }; // ecdsa-with-SHA1
  assert.deepEqual(reasons(check({ leaf: sha1 })), ['ALGORITHM_UNSUPPORTED@0']);
});

test('RFC 5280 §6.1.4 (k)/(n): a leaf signed by an end-entity certificate', async () => {
  const forged = await mk('forged', { issuer: broker });
  const r = check({ leaf: forged.cert, intermediates: [broker.cert] });
  assert.deepEqual(reasons(r), ['ISSUER_NOT_CA@1', 'KEY_USAGE@1']);
  assert.deepEqual(
    r.failures.map((f) => opensslErrorFor(f.reason)),
    [79, 32],
  );
});

test('RFC 5280 §6.1.4 (m): pathLenConstraint 0 with a CA below it', async () => {
  const int2 = await mk('Int 2', { ca: true, issuer: int });
  const leaf = await mk('leaf', { issuer: int2 });
  assert.deepEqual(reasons(check({ leaf: leaf.cert, intermediates: [int.cert, int2.cert] })), [
    'PATH_LENGTH_EXCEEDED@2',
  ]);
});

test('RFC 5280 §4.2.1.12: extended key usage must allow the purpose, in the leaf and in CAs', async () => {
  assert.deepEqual(reasons(check({ leaf: broker.cert, purpose: 'client' })), ['PURPOSE@0']);
  assert.deepEqual(reasons(check({ leaf: device.cert, intermediates: [int.cert], purpose: 'server' })), [
    'PURPOSE@0',
  ]);
  const any = await mk('any', { issuer: root, eku: [OID.anyExtendedKeyUsage] });
  assert.deepEqual(reasons(check({ leaf: any.cert, purpose: 'server' })), ['PURPOSE@0']);
  const clientCa = await mk('Client CA', { ca: true, issuer: root, eku: [OID.clientAuth] });
  const srv = await mk('srv', { issuer: clientCa, eku: [OID.serverAuth] });
  assert.deepEqual(reasons(check({ leaf: srv.cert, intermediates: [clientCa.cert], purpose: 'server' })), [
    'PURPOSE@1',
  ]);
  assert.equal(check({ leaf: broker.cert, purpose: 'any' }).valid, true);
});

test('RFC 5280 §4.2.1.3: the leaf key usage must allow TLS authentication', async () => {
  const signOnly = await mk('k', { issuer: root, ku: ['keyCertSign'] });
  assert.deepEqual(reasons(check({ leaf: signOnly.cert, purpose: 'server' })), ['LEAF_KEY_USAGE@0']);
  const rsa = await mk('rsa', { issuer: root, ku: ['keyEncipherment'], rsa: true });
  assert.equal(check({ leaf: rsa.cert, purpose: 'server' }).valid, true);
  assert.deepEqual(reasons(check({ leaf: rsa.cert, purpose: 'client' })), ['LEAF_KEY_USAGE@0']);
});

test('RFC 6125: host names and IP addresses', () => {
  assert.equal(check({ leaf: broker.cert, hostname: 'BROKER.example.' }).valid, true);
  assert.equal(check({ leaf: broker.cert, hostname: '10.0.0.1' }).valid, true);
  assert.deepEqual(reasons(check({ leaf: broker.cert, hostname: 'other.example' })), ['HOSTNAME_MISMATCH@0']);
  assert.deepEqual(reasons(check({ leaf: broker.cert, hostname: '10.0.0.2' })), ['IP_ADDRESS_MISMATCH@0']);
});

test('RFC 5280 §6.1.4 (o): unhandled critical and malformed extensions', async () => {
  const unknown = new Extension({
    extnID: '1.3.6.1.4.1.99999.1',
    critical: true,
    extnValue: new OctetString(new Uint8Array([5, 0])),
  });
  const crit = await mk('crit', { issuer: root, extra: [unknown] });
  assert.deepEqual(reasons(check({ leaf: crit.cert })), ['CRITICAL_EXTENSION_UNHANDLED@0']);
  const dup = await mk('dup', {
    issuer: root,
    extra: [extKeyUsageExtension([OID.serverAuth]), extKeyUsageExtension([OID.clientAuth])],
  });
  assert.deepEqual(reasons(check({ leaf: dup.cert })), ['EXTENSION_INVALID@0']);
});

test('RFC 5280 §6.3: CRLs', async () => {
  const of = (...crls: ParsedCrl[]) => reasons(check({ leaf: broker.cert, crls }));
  const stale = { from: -30 * DAY, to: -DAY };
  const good = await crl(root);
  const revoking = await crl(root, { revoke: [broker] });
  const other = await mk('Other', { ca: true });
  assert.deepEqual(of(good), []);
  assert.deepEqual(of(revoking), ['REVOKED@0']);
  assert.equal(check({ leaf: broker.cert, crls: [revoking], crlCheck: 'none' }).valid, true);
  assert.deepEqual(of(), ['CRL_MISSING@0']);
  assert.deepEqual(of(await crl(root, stale)), ['CRL_EXPIRED@0']);
  assert.deepEqual(of(await crl(root, { from: DAY, to: 9 * DAY })), ['CRL_NOT_YET_VALID@0']);
  // A CRL that does not verify is not read: the revocation it claims is not reported.
  assert.deepEqual(of(await crl(root, { revoke: [broker], signer: other.signer })), [
    'CRL_SIGNATURE_INVALID@0',
  ]);
  assert.deepEqual(of({ ...good, unhandledCritical: ['2.5.29.28'] }), ['CRL_CRITICAL_EXTENSION_UNHANDLED@0']);
  // A stale but authentic CRL still says the certificate is revoked.
  assert.deepEqual(of(await crl(root, { revoke: [broker], ...stale })), ['CRL_EXPIRED@0', 'REVOKED@0']);
  // The current CRL wins over a stale one.
  assert.deepEqual(of(await crl(root, stale), good), []);
});

test('RFC 5280 §6.3.3 (f): the CRL issuer needs cRLSign; crlCheck all covers the CAs too', async () => {
  const noCrlSign = await mk('No CRL Sign', { ca: true, ku: ['keyCertSign'] });
  const leaf = await mk('leaf', { issuer: noCrlSign });
  assert.deepEqual(
    reasons(check({ leaf: leaf.cert, anchors: [noCrlSign.cert], crls: [await crl(noCrlSign)] })),
    ['CRL_KEY_USAGE@0'],
  );
  const crls = [await crl(root, { revoke: [int] }), await crl(int)];
  const opts = { leaf: device.cert, intermediates: [int.cert], crls };
  assert.equal(check({ ...opts, crlCheck: 'leaf' }).valid, true);
  assert.deepEqual(reasons(check({ ...opts, crlCheck: 'all' })), ['REVOKED@1']);
  assert.deepEqual(reasons(check({ ...opts, crls: [crls[1]!], crlCheck: 'all' })), [
    'CRL_MISSING@1',
    'CRL_MISSING@2',
  ]);
});

test('every failure is collected, in openssl order', async () => {
  const bad = await mk('bad.example', { issuer: root, eku: [OID.clientAuth], from: -30 * DAY, to: -DAY });
  const r = check({
    leaf: bad.cert,
    purpose: 'server',
    hostname: 'good.example',
    crls: [await crl(root, { revoke: [bad] })],
  });
  assert.deepEqual(reasons(r), ['PURPOSE@0', 'HOSTNAME_MISMATCH@0', 'REVOKED@0', 'CERT_EXPIRED@0']);
});

test('negative: decoys and the order of intermediates do not change the verdict', async () => {
  const fakeInt = await mk('Int', { ca: true, issuer: root }); // same name as int, other key
  const oldInt = await mk('Int', {
    ca: true,
    pathLen: 0,
    issuer: root,
    key: int.signer,
    from: -90 * DAY,
    to: -DAY,
  });
  const unrelated = await mk('Unrelated', { ca: true });
  const pool = [int.cert, fakeInt.cert, oldInt.cert, unrelated.cert, broker.cert];
  for (let i = 0; i < 20; i++) {
    const shuffled = [...pool].sort(() => (rng.bytes(1)[0]! & 1 ? 1 : -1));
    const r = check({ leaf: device.cert, intermediates: shuffled });
    assert.deepEqual(reasons(r), []);
    assert.ok(Buffer.from(r.chain[1]!.der).equals(int.cert.der));
  }
});

test('negative: random validation times agree with the validity windows', () => {
  const lo = Math.max(broker.cert.notBefore.getTime(), root.cert.notBefore.getTime());
  const hi = Math.min(broker.cert.notAfter.getTime(), root.cert.notAfter.getTime());
  for (let i = 0; i < 40; i++) {
    const at = new Date(AT.getTime() + (Buffer.from(rng.bytes(4)).readInt32BE() % 1000) * DAY);
    const r = check({ leaf: broker.cert, at });
    assert.equal(r.valid, at.getTime() >= lo && at.getTime() <= hi, at.toISOString());
    for (const f of r.failures) assert.ok(f.reason === 'CERT_EXPIRED' || f.reason === 'CERT_NOT_YET_VALID');
  }
});

test('negative: no single flipped byte yields a valid certificate', () => {
  for (let i = 0; i < 60; i++) {
    const der = Uint8Array.from(broker.cert.der);
    const at = Buffer.from(rng.bytes(2)).readUInt16BE() % der.length;
    der[at]! ^= 1 << (rng.bytes(1)[0]! % 8);
    let leaf: ParsedCertificate;
    try {
      leaf = parseCertificateDer(der);
    } catch (err) {
      assert.ok(isLabError(err, 'ERR_PKI_CERT_MALFORMED'), String(err));
      continue;
    }
    assert.equal(check({ leaf }).valid, false, `byte ${at}`);
  }
});

test('options are checked: unknown keys, bad values; every reason has an openssl number', () => {
  const rejects = (o: Record<string, unknown>, code: 'ERR_OPTIONS_UNKNOWN_KEY' | 'ERR_OPTIONS_INVALID') =>
    assert.throws(
      () => check({ leaf: broker.cert, ...o }),
      (e) => isLabError(e, code),
      JSON.stringify(o),
    );
  rejects({ hostnme: 'broker.example' }, 'ERR_OPTIONS_UNKNOWN_KEY');
  rejects({ hostname: '*.example' }, 'ERR_OPTIONS_INVALID');
  rejects({ maxDepth: -1 }, 'ERR_OPTIONS_INVALID');
  rejects({ purpose: 'email' }, 'ERR_OPTIONS_INVALID');
  rejects({ clock: {} }, 'ERR_OPTIONS_INVALID');
  for (const reason of Object.keys(VERIFY_REASONS) as (keyof typeof VERIFY_REASONS)[]) {
    assert.ok(Number.isInteger(opensslErrorFor(reason)) && opensslErrorFor(reason) > 0, reason);
  }
});
