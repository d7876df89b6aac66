import { createPublicKey } from 'node:crypto';
import { isLabError } from '../core/errors.js';
import { verifySignature } from './algorithms.js';
import type { ParsedCertificate } from './certificate.js';
import { namesEqual } from './names.js';

/**
 * Path building (RFC 4158): from the end-entity certificate up to a trust anchor, trying every
 * plausible issuer. RFC 5280 §6 validates a path once it exists; building one is separate.
 */

/** How a candidate path ends. */
export type PathEnd =
  /** at a self-signed trust anchor: a complete path */
  | 'trusted'
  /** at a certificate whose issuer is nowhere to be found */
  | 'issuer-unknown'
  /** at a certificate whose issuer is unknown, past a trusted certificate that is not self-signed */
  | 'anchor-not-self-signed'
  /** at a self-signed certificate nobody trusts */
  | 'self-signed-untrusted'
  /** at the depth limit, before reaching an anchor */
  | 'too-long';

export interface CandidatePath {
  readonly chain: readonly ParsedCertificate[];
  readonly end: PathEnd;
}

export interface BuildParams {
  readonly leaf: ParsedCertificate;
  readonly anchors: readonly ParsedCertificate[];
  readonly intermediates: readonly ParsedCertificate[];
  readonly at: Date;
  /** Most intermediate CAs allowed between leaf and anchor (openssl's -verify_depth). */
  readonly maxDepth: number;
}

/** Enough alternatives for cross-certified lab PKIs; bounds the work on hostile bundles. */
const MAX_PATHS = 16;
const MAX_STEPS = 512;

/**
 * Every candidate path, best first: at each step trust anchors are tried before untrusted
 * intermediates and, among those, certificates valid at `at` before the others (openssl's
 * trusted-first lookup, which prefers a time-valid issuer).
 */
export function buildPaths(params: BuildParams): CandidatePath[] {
  const { anchors, intermediates, at, maxDepth } = params;
  const isAnchor = (c: ParsedCertificate) => anchors.some((a) => sameCert(a, c));
  const paths: CandidatePath[] = [];
  let steps = 0;

  const extend = (chain: ParsedCertificate[]): void => {
    if (paths.length >= MAX_PATHS || ++steps > MAX_STEPS) return;
    const top = chain[chain.length - 1]!;
    const inChain = (c: ParsedCertificate) => chain.some((x) => sameCert(x, c));
    // A self-signed certificate ends the path: trusted if it is an anchor itself (openssl too
    // stops here, even when an anchor with the same name and key exists).
    if (isSelfSigned(top)) {
      paths.push({ chain, end: isAnchor(top) ? 'trusted' : 'self-signed-untrusted' });
      return;
    }
    // Leaf + maxDepth intermediates + anchor is the longest path allowed.
    if (chain.length >= maxDepth + 2) {
      paths.push({ chain, end: 'too-long' });
      return;
    }
    const byTime = (list: readonly ParsedCertificate[]) => {
      const found = list.filter((c) => !inChain(c) && mayHaveIssued(c, top));
      return [...found.filter((c) => validAt(c, at)), ...found.filter((c) => !validAt(c, at))];
    };
    const anchorIssuers = byTime(anchors);
    const candidates = [
      ...anchorIssuers,
      ...byTime(intermediates).filter((c) => !anchorIssuers.some((a) => sameCert(a, c))),
    ];
    if (candidates.length === 0) {
      const pastAnchor = chain.slice(1).some(isAnchor);
      paths.push({ chain, end: pastAnchor ? 'anchor-not-self-signed' : 'issuer-unknown' });
      return;
    }
    for (const c of candidates) extend([...chain, c]);
  };

  extend([params.leaf]);
  return paths;
}

/**
 * Could `issuer` have signed `subject`? RFC 5280 §6.1.3 (a)(4): the issuer name equals the
 * issuer's subject (§7.1 comparison). §4.2.1.1: when the subject's authorityKeyIdentifier and
 * the issuer's subjectKeyIdentifier are both present they must be equal, which tells a
 * same-name impostor (or a re-keyed CA) apart. Like openssl, the key type must also fit the
 * signature algorithm. The signature itself is checked later, with a reason if it fails.
 */
export function mayHaveIssued(issuer: ParsedCertificate, subject: ParsedCertificate): boolean {
  if (!namesEqual(issuer.subject, subject.issuer)) return false;
  const aki = subject.extensions.authorityKeyId;
  const ski = issuer.extensions.subjectKeyId;
  if (aki && ski && !sameBytes(aki, ski)) return false;
  const wanted = signatureKeyFamily(subject.signatureAlgorithmOid);
  return wanted === undefined || wanted === keyFamily(issuer.spki);
}

/** Self-issued (§3.2: same subject and issuer) with a key identifier that points at itself. */
export function isSelfIssued(cert: ParsedCertificate): boolean {
  const aki = cert.extensions.authorityKeyId;
  const ski = cert.extensions.subjectKeyId;
  return namesEqual(cert.subject, cert.issuer) && !(aki && ski && !sameBytes(aki, ski));
}

/**
 * Self-signed as openssl decides it (EXFLAG_SS): self-issued and its key type fits its own
 * signature algorithm. The self-signature of an anchor is not checked (RFC 5280 §6.1.1 (d)
 * takes the anchor's key as given; openssl skips it too).
 */
export function isSelfSigned(cert: ParsedCertificate): boolean {
  return isSelfIssued(cert) && mayHaveIssued(cert, cert);
}

export function sameCert(a: ParsedCertificate, b: ParsedCertificate): boolean {
  return a === b || sameBytes(a.der, b.der);
}

export function validAt(cert: ParsedCertificate, at: Date): boolean {
  return cert.notBefore.getTime() <= at.getTime() && at.getTime() <= cert.notAfter.getTime();
}

/** A signature check as a verdict: an algorithm we do not implement is an answer, not a crash. */
export function signatureVerdict(
  spki: Uint8Array,
  algorithmOid: string,
  signed: Uint8Array,
  signature: Uint8Array,
): 'ok' | 'bad' | 'unsupported' {
  try {
    return verifySignature(spki, algorithmOid, signed, signature) ? 'ok' : 'bad';
  } catch (err) {
    if (isLabError(err, 'ERR_PKI_ALGORITHM_UNSUPPORTED')) return 'unsupported';
    throw err;
  }
}

function signatureKeyFamily(oid: string): string | undefined {
  if (oid.startsWith('1.2.840.113549.1.1.')) return 'rsa'; // PKCS #1 (RFC 8017 Appendix C)
  if (oid.startsWith('1.2.840.10045.4.')) return 'ec'; // ecdsa-with-* (RFC 5758 §3.2)
  if (oid === '1.3.101.112') return 'ed25519'; // RFC 8410 §3
  if (oid === '1.3.101.113') return 'ed448';
  return undefined;
}

function keyFamily(spki: Uint8Array): string | undefined {
  try {
    const type = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).asymmetricKeyType;
    return type === 'rsa-pss' ? 'rsa' : type;
  } catch {
    return undefined;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
