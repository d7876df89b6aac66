import { signatureAlgorithmName, verifySignature } from './algorithms.js';
import { fingerprint, type ParsedCertificate } from './certificate.js';
import type { ParsedCrl } from './crl.js';
import type { ParsedCsr } from './csr.js';
import { ekuName, formatSan } from './extensions.js';
import { describeKey, keyBits, spkiToKey } from './keys.js';
import { type NameAttribute, nameAttributes, namesEqual, nameToString } from './names.js';

export interface CertificateDescription {
  readonly kind: 'certificate';
  readonly subject: string;
  readonly subjectFields: Readonly<Record<string, string>>;
  readonly issuer: string;
  readonly serial: string;
  readonly version: number;
  readonly signatureAlgorithm: string;
  readonly publicKey: string;
  readonly keyBits?: number;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly fingerprintSha256: string;
  readonly selfSigned: boolean;
  readonly basicConstraints?: { ca: boolean; pathLen?: number };
  readonly keyUsage: readonly string[];
  readonly extKeyUsage: readonly string[];
  readonly subjectAltNames: readonly string[];
  readonly subjectKeyId?: string;
  readonly authorityKeyId?: string;
  readonly unhandledCriticalExtensions: readonly string[];
}

export interface CsrDescription {
  readonly kind: 'csr';
  readonly subject: string;
  readonly subjectFields: Readonly<Record<string, string>>;
  readonly signatureAlgorithm: string;
  readonly publicKey: string;
  readonly keyBits?: number;
  readonly signatureValid: boolean;
  readonly requestedSubjectAltNames: readonly string[];
  readonly requestedExtensions: readonly string[];
}

export interface CrlDescription {
  readonly kind: 'crl';
  readonly issuer: string;
  readonly signatureAlgorithm: string;
  readonly thisUpdate: string;
  readonly nextUpdate?: string;
  readonly crlNumber?: number;
  readonly revoked: readonly { serial: string; revokedAt: string; reason: string }[];
}

function fields(attrs: NameAttribute[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of attrs) out[a.type] = out[a.type] === undefined ? a.value : `${out[a.type]}+${a.value}`;
  return out;
}

const hex = (b: Uint8Array | undefined) =>
  b ? Buffer.from(b).toString('hex').toUpperCase().match(/../g)!.join(':') : undefined;

export function describeCertificate(c: ParsedCertificate): CertificateDescription {
  const key = spkiToKey(c.spki);
  const selfIssued = namesEqual(c.subject, c.issuer);
  let selfSigned = false;
  if (selfIssued) {
    try {
      selfSigned = verifySignature(c.spki, c.signatureAlgorithmOid, c.tbs, c.signature);
    } catch {
      selfSigned = false;
    }
  }
  const e = c.extensions;
  return {
    kind: 'certificate',
    subject: nameToString(c.subject),
    subjectFields: fields(nameAttributes(c.subject)),
    issuer: nameToString(c.issuer),
    serial: c.serial,
    version: c.version,
    signatureAlgorithm: signatureAlgorithmName(c.signatureAlgorithmOid),
    publicKey: describeKey(key),
    keyBits: keyBits(key),
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    fingerprintSha256: fingerprint(c.der),
    selfSigned,
    basicConstraints: e.basicConstraints
      ? { ca: e.basicConstraints.ca, pathLen: e.basicConstraints.pathLen }
      : undefined,
    keyUsage: e.keyUsage?.usages ?? [],
    extKeyUsage: (e.extKeyUsage?.oids ?? []).map(ekuName),
    subjectAltNames: (e.subjectAltName?.names ?? []).map(formatSan),
    subjectKeyId: hex(e.subjectKeyId),
    authorityKeyId: hex(e.authorityKeyId),
    unhandledCriticalExtensions: e.unhandledCritical,
  };
}

export function describeCsr(r: ParsedCsr): CsrDescription {
  const key = spkiToKey(r.spki);
  let signatureValid: boolean;
  try {
    signatureValid = verifySignature(r.spki, r.signatureAlgorithmOid, r.tbs, r.signature);
  } catch {
    signatureValid = false; // an algorithm we cannot check is not a valid proof of possession
  }
  return {
    kind: 'csr',
    subject: nameToString(r.subject),
    subjectFields: fields(nameAttributes(r.subject)),
    signatureAlgorithm: signatureAlgorithmName(r.signatureAlgorithmOid),
    publicKey: describeKey(key),
    keyBits: keyBits(key),
    signatureValid,
    requestedSubjectAltNames: (r.requestedExtensions.subjectAltName?.names ?? []).map(formatSan),
    requestedExtensions: r.requestedExtensions.all.map((x) => x.oid),
  };
}

export function describeCrl(l: ParsedCrl): CrlDescription {
  return {
    kind: 'crl',
    issuer: nameToString(l.issuer),
    signatureAlgorithm: signatureAlgorithmName(l.signatureAlgorithmOid),
    thisUpdate: l.thisUpdate.toISOString(),
    nextUpdate: l.nextUpdate?.toISOString(),
    crlNumber: l.crlNumber,
    revoked: [...l.revoked].map(([serial, r]) => ({
      serial,
      revokedAt: r.revokedAt.toISOString(),
      reason: r.reason,
    })),
  };
}
