import type { KeyObject } from 'node:crypto';
import { type Extension, Name } from '@peculiar/asn1-x509';
import { type Clock, systemClock } from '../core/clock.js';
import { LabError } from '../core/errors.js';
import { type Rng, systemRng } from '../core/rng.js';
import { type ParsedCertificate, parseCertificateDer, signCertificate } from './certificate.js';
import { assertCsrSignature, type ParsedCsr } from './csr.js';
import {
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  extKeyUsageExtension,
  keyIdentifier,
  keyUsageExtension,
  OID,
  type SanEntry,
  subjectAltNameExtension,
  subjectKeyIdentifierExtension,
} from './extensions.js';
import { assertSupportedKey, generatePrivateKey, type KeyType, spkiToKey } from './keys.js';
import { buildName, nameField, type SubjectFields } from './names.js';
import { keyUsageFor, PROFILES, type Profile, sansFor } from './profiles.js';
import { keySigner, type Signer } from './signer.js';

const DAY_MS = 86_400_000;
/** notBefore is set this far in the past so a device with a slightly slow clock accepts a fresh certificate. */
export const BACKDATE_MS = 60_000;

/** A CA able to issue: its certificate and something that signs with its key. */
export interface IssuingCa {
  readonly certificate: ParsedCertificate;
  readonly signer: Signer;
}

export interface CreateRootCaParams {
  readonly subject: SubjectFields | Name;
  readonly keyType?: KeyType;
  /** An existing key or an external signer; otherwise a key of `keyType` is generated. */
  readonly key?: KeyObject;
  readonly signer?: Signer;
  readonly days?: number;
  readonly pathLen?: number;
  readonly clock?: Clock;
  readonly rng?: Rng;
}

export interface CreatedRootCa {
  readonly certificate: ParsedCertificate;
  /** The generated or given key; absent when an external signer was used. */
  readonly key?: KeyObject;
  readonly signer: Signer;
}

export async function createRootCa(params: CreateRootCaParams): Promise<CreatedRootCa> {
  const clock = params.clock ?? systemClock;
  const key = params.signer
    ? undefined
    : (params.key ?? (await generatePrivateKey(params.keyType ?? 'p256')));
  if (key) assertSupportedKey(key, 'CA key');
  const signer = params.signer ?? keySigner(key!);
  const subject = params.subject instanceof Name ? params.subject : buildName(params.subject);
  const { notBefore, notAfter } = validity(clock.now(), params.days ?? PROFILES.ca.defaultDays);
  const kid = keyIdentifier(signer.publicKeyInfo);
  const der = await signCertificate(
    {
      serial: serialNumber(params.rng ?? systemRng),
      issuer: subject,
      subject,
      notBefore,
      notAfter,
      subjectPublicKeyInfo: signer.publicKeyInfo,
      extensions: [
        basicConstraintsExtension(true, params.pathLen),
        keyUsageExtension(keyUsageFor(PROFILES.ca, keyAlgorithm(signer.publicKeyInfo))),
        subjectKeyIdentifierExtension(kid),
        authorityKeyIdentifierExtension(kid),
      ],
    },
    signer,
  );
  return { certificate: parseCertificateDer(der, 'new CA certificate'), key, signer };
}

export interface IssueParams {
  readonly ca: IssuingCa;
  readonly csr: ParsedCsr;
  readonly profile: Profile;
  readonly days?: number;
  /** Explicit validity start; default is now minus BACKDATE_MS. */
  readonly notBefore?: Date;
  /** Explicit validity end; overrides `days`. For test fixtures (expired, not yet valid). */
  readonly notAfter?: Date;
  /** SANs added on top of those the CSR asks for. */
  readonly sans?: readonly SanEntry[];
  readonly clock?: Clock;
  readonly rng?: Rng;
}

export interface IssuedCertificate {
  readonly certificate: ParsedCertificate;
  /** Things the CA decided that the requester should know (ignored extensions, capped validity). */
  readonly warnings: readonly string[];
}

/**
 * Issue a certificate for a CSR under a profile. The CSR's self-signature is checked first
 * (proof of possession); the profile, not the CSR, decides basicConstraints and key usage —
 * a CSR asking for CA:TRUE gets what the profile says, and a warning.
 */
export async function issueCertificate(params: IssueParams): Promise<IssuedCertificate> {
  const { ca, csr, profile } = params;
  const clock = params.clock ?? systemClock;
  const now = clock.now();
  const warnings: string[] = [];
  assertCsrSignature(csr);
  assertSupportedKey(spkiToKey(csr.spki), 'CSR public key');
  assertCanIssue(ca.certificate, now);
  // RFC 5280 §4.2.1.9: under a CA with pathLen 0 no CA certificate can ever validate.
  if (profile.ca && ca.certificate.extensions.basicConstraints?.pathLen === 0) {
    throw new LabError(
      'ERR_PKI_ISSUER_NOT_CA',
      'the issuing CA has pathlen 0: it may not issue CA certificates',
    );
  }
  if (profile.name === 'ca') {
    throw new LabError(
      'ERR_PKI_PROFILE_UNKNOWN',
      'profile "ca" makes self-signed roots (pki init); sign a subordinate CA with "intermediate"',
    );
  }

  let notBefore: Date;
  let notAfter: Date;
  if (params.notAfter || params.notBefore) {
    notBefore = params.notBefore ?? new Date(now.getTime() - BACKDATE_MS);
    notAfter =
      params.notAfter ?? new Date(notBefore.getTime() + (params.days ?? profile.defaultDays) * DAY_MS);
    if (notAfter.getTime() <= notBefore.getTime()) {
      throw new LabError('ERR_PKI_VALIDITY_INVALID', 'notAfter must be later than notBefore');
    }
  } else {
    ({ notBefore, notAfter } = validity(now, params.days ?? profile.defaultDays));
    if (notAfter.getTime() > ca.certificate.notAfter.getTime()) {
      // RFC 5280 §6.1.3 would reject the tail anyway; a certificate outliving its CA only misleads.
      notAfter = ca.certificate.notAfter;
      warnings.push(`validity capped at the CA's notAfter (${notAfter.toISOString()})`);
    }
  }

  const requested = csr.requestedExtensions;
  const ignored = requested.all.map((e) => e.oid).filter((oid) => oid !== OID.subjectAltName);
  if (ignored.length > 0)
    warnings.push(
      `CSR extensions not copied (the ${profile.name} profile decides them): ${ignored.join(', ')}`,
    );
  const sans = sansFor(profile, nameField(csr.subject, 'CN'), [
    ...(requested.subjectAltName?.names ?? []).filter((n) => n.type !== 'other'),
    ...(params.sans ?? []),
  ]);

  const extensions: Extension[] = [
    basicConstraintsExtension(profile.ca, profile.pathLen),
    keyUsageExtension(keyUsageFor(profile, keyAlgorithm(csr.spki))),
  ];
  if (profile.extKeyUsage.length > 0) extensions.push(extKeyUsageExtension(profile.extKeyUsage));
  if (sans.length > 0) extensions.push(subjectAltNameExtension(sans, csr.subject.length === 0));
  extensions.push(subjectKeyIdentifierExtension(keyIdentifier(csr.spki)));
  extensions.push(
    authorityKeyIdentifierExtension(
      ca.certificate.extensions.subjectKeyId ?? keyIdentifier(ca.certificate.spki),
    ),
  );

  const der = await signCertificate(
    {
      serial: serialNumber(params.rng ?? systemRng),
      issuer: ca.certificate.subject,
      subject: csr.subject,
      notBefore,
      notAfter,
      subjectPublicKeyInfo: csr.spki,
      extensions,
    },
    ca.signer,
  );
  return { certificate: parseCertificateDer(der, 'issued certificate'), warnings };
}

/** The issuer must be a CA allowed to sign certificates, valid now (RFC 5280 §4.2.1.9, §4.2.1.3). */
export function assertCanIssue(ca: ParsedCertificate, now: Date): void {
  const bc = ca.extensions.basicConstraints;
  if (!bc?.ca)
    throw new LabError(
      'ERR_PKI_ISSUER_NOT_CA',
      'the issuing certificate is not a CA (basicConstraints CA:FALSE or absent)',
    );
  const ku = ca.extensions.keyUsage;
  if (ku && !ku.usages.includes('keyCertSign')) {
    throw new LabError('ERR_PKI_ISSUER_NOT_CA', 'the issuing certificate lacks keyUsage keyCertSign');
  }
  if (now < ca.notBefore || now > ca.notAfter) {
    throw new LabError(
      'ERR_PKI_ISSUER_EXPIRED',
      `the CA certificate is not valid now (${ca.notBefore.toISOString()} – ${ca.notAfter.toISOString()})`,
    );
  }
}

/** RFC 5280 §4.1.2.2: positive, unique, at most 20 octets; 128 random bits (CA/B BR §7.1 asks for 64). */
export function serialNumber(rng: Rng): Uint8Array {
  const bytes = rng.bytes(16);
  if (bytes.every((b) => b === 0)) bytes[15] = 1;
  return bytes;
}

function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  if (!Number.isFinite(days) || days <= 0)
    throw new LabError('ERR_PKI_VALIDITY_INVALID', `validity must be a positive number of days, got ${days}`);
  const start = Math.floor((now.getTime() - BACKDATE_MS) / 1000) * 1000;
  return { notBefore: new Date(start), notAfter: new Date(start + BACKDATE_MS + Math.round(days * DAY_MS)) };
}

function keyAlgorithm(spki: Uint8Array): 'rsa' | 'ec' {
  return spkiToKey(spki).asymmetricKeyType === 'rsa' ? 'rsa' : 'ec';
}
