import { type Clock, systemClock } from '../core/clock.js';
import { clockSchema, parseOptions, z } from '../core/options.js';
import type { ParsedCertificate } from './certificate.js';
import type { ParsedCrl } from './crl.js';
import { OID } from './extensions.js';
import { certificateMatchesHost, isHostReference, referenceIdentity } from './hostname.js';
import { spkiToKey } from './keys.js';
import { namesEqual, nameToString } from './names.js';
import {
  buildPaths,
  type CandidatePath,
  isSelfIssued,
  isSelfSigned,
  signatureVerdict,
} from './validate-build.js';
import { checkRevocation } from './validate-crl.js';
import type { PathFailure, VerifyReason } from './validate-reasons.js';

export { opensslErrorFor, type PathFailure, VERIFY_REASONS, type VerifyReason } from './validate-reasons.js';

export type VerifyPurpose = 'server' | 'client' | 'any';

export interface ValidatePathOptions {
  readonly leaf: ParsedCertificate;
  /** Trusted roots (like openssl -CAfile). */
  readonly anchors: readonly ParsedCertificate[];
  /** Untrusted certificates that may complete the path (like -untrusted). */
  readonly intermediates?: readonly ParsedCertificate[];
  readonly crls?: readonly ParsedCrl[];
  /** Default 'leaf' when crls are given, else 'none'. */
  readonly crlCheck?: 'none' | 'leaf' | 'all';
  /** Validation time; default clock.now(). */
  readonly at?: Date;
  readonly clock?: Clock;
  /** Default 'any': no extended key usage or leaf key usage requirement. */
  readonly purpose?: VerifyPurpose;
  /** DNS name or IP literal the leaf must identify (RFC 6125). */
  readonly hostname?: string;
  /** Most intermediate CAs between leaf and anchor (openssl -verify_depth); default 10. */
  readonly maxDepth?: number;
}

export interface PathValidationResult {
  readonly valid: boolean;
  /** The path judged, leaf first; it ends at the anchor when one was reached. */
  readonly chain: readonly ParsedCertificate[];
  /** Every failure found, in openssl's order: failures[0] is what `openssl verify` reports. */
  readonly failures: readonly PathFailure[];
}

const isCert = (v: unknown): v is ParsedCertificate =>
  typeof v === 'object' &&
  v !== null &&
  (v as ParsedCertificate).der instanceof Uint8Array &&
  'extensions' in v &&
  'subject' in v;
const isCrl = (v: unknown): v is ParsedCrl =>
  typeof v === 'object' &&
  v !== null &&
  (v as ParsedCrl).revoked instanceof Map &&
  (v as ParsedCrl).tbs instanceof Uint8Array;
const cert = z.custom<ParsedCertificate>(isCert, 'expected a parsed certificate');

const SCHEMA = z.strictObject({
  leaf: cert,
  anchors: z.array(cert),
  intermediates: z.array(cert).optional(),
  crls: z.array(z.custom<ParsedCrl>(isCrl, 'expected a parsed CRL')).optional(),
  crlCheck: z.enum(['none', 'leaf', 'all']).optional(),
  at: z.date().optional(),
  purpose: z.enum(['server', 'client', 'any']).optional(),
  hostname: z.string().refine(isHostReference, 'expected a DNS name or an IP address').optional(),
  maxDepth: z.number().int().min(0).max(100).optional(),
  clock: clockSchema.optional(),
});

interface Settings {
  readonly at: Date;
  readonly purpose: VerifyPurpose;
  readonly hostname: string | undefined;
  readonly crls: readonly ParsedCrl[];
  readonly crlCheck: 'none' | 'leaf' | 'all';
}

/**
 * RFC 5280 §6 path validation that says why a path fails. Checks run in the order of
 * openssl 3.0's verify_chain — build the path, extension checks (critical extensions, CA
 * flags, purpose, path length) leaf to root, the host name, revocation, then signatures and
 * validity periods root to leaf — so the first failure is the one openssl reports. All the
 * failures found are returned, not only the first. Among several candidate paths the first
 * that validates wins; if none does, the one that reached an anchor with the fewest failures.
 */
export function validatePath(options: ValidatePathOptions): PathValidationResult {
  const o = parseOptions(SCHEMA, options, 'validatePath');
  const settings: Settings = {
    at: o.at ?? (o.clock ?? systemClock).now(),
    purpose: o.purpose ?? 'any',
    hostname: o.hostname,
    crls: o.crls ?? [],
    crlCheck: o.crlCheck ?? (o.crls ? 'leaf' : 'none'),
  };
  const paths = buildPaths({
    leaf: o.leaf,
    anchors: o.anchors,
    intermediates: o.intermediates ?? [],
    at: settings.at,
    maxDepth: o.maxDepth ?? 10,
  });
  let best: { path: CandidatePath; failures: PathFailure[] } | undefined;
  for (const path of paths) {
    const failures = evaluate(path, settings, [...o.anchors, ...(o.intermediates ?? [])]);
    if (failures.length === 0) return freeze(true, path.chain, []);
    if (!best || rank(path, failures) < rank(best.path, best.failures)) best = { path, failures };
  }
  // buildPaths always yields at least the leaf on its own.
  return freeze(false, best!.path.chain, best!.failures);
}

/** A path that reached an anchor beats one that did not; then the fewer failures the better. */
function rank(path: CandidatePath, failures: readonly PathFailure[]): number {
  return (path.end === 'trusted' ? 0 : 1_000_000) + failures.length;
}

function freeze(
  valid: boolean,
  chain: readonly ParsedCertificate[],
  failures: readonly PathFailure[],
): PathValidationResult {
  return Object.freeze({
    valid,
    chain: Object.freeze([...chain]),
    failures: Object.freeze(failures.map((f) => Object.freeze(f))),
  });
}

type Fail = (reason: VerifyReason, depth: number, message: string) => void;

function evaluate(path: CandidatePath, s: Settings, pool: readonly ParsedCertificate[]): PathFailure[] {
  const { chain } = path;
  const failures: PathFailure[] = [];
  const fail: Fail = (reason, depth, message) =>
    failures.push({ reason, depth, subject: nameToString(chain[depth]!.subject), message });
  const built = buildFailure(path, pool);
  if (built) fail(...built);
  extensionFailures(chain, s.purpose, fail);
  if (s.hostname !== undefined && !certificateMatchesHost(chain[0]!, s.hostname)) {
    const ip = referenceIdentity(s.hostname).type === 'ip';
    fail(
      ip ? 'IP_ADDRESS_MISMATCH' : 'HOSTNAME_MISMATCH',
      0,
      `the certificate is not valid for ${s.hostname}`,
    );
  }
  if (s.crlCheck !== 'none') failures.push(...checkRevocation(chain, s.crls, s.crlCheck, s.at));
  signatureAndTimeFailures(chain, s.at, fail);
  return failures;
}

function buildFailure(path: CandidatePath, pool: readonly ParsedCertificate[]): Parameters<Fail> | undefined {
  const top = path.chain.length - 1;
  const t = path.chain[top]!;
  switch (path.end) {
    case 'trusted':
      return undefined;
    case 'issuer-unknown': {
      // A certificate with the right name but another key is the classic impostor: say so.
      const sameName = pool.some((c) => namesEqual(c.subject, t.issuer));
      const why = sameName
        ? ' (a certificate with that name exists, but its key identifier does not match)'
        : '';
      return ['ISSUER_UNKNOWN', top, `issuer ${nameToString(t.issuer)} not found${why}`];
    }
    case 'anchor-not-self-signed':
      return [
        'ANCHOR_NOT_SELF_SIGNED',
        top,
        `issuer ${nameToString(t.issuer)} of a trusted intermediate not found`,
      ];
    case 'self-signed-untrusted':
      return top === 0
        ? ['SELF_SIGNED_NOT_TRUSTED', 0, 'self-signed certificate that is not a trust anchor']
        : [
            'SELF_SIGNED_IN_CHAIN',
            top,
            'the path ends at a self-signed certificate that is not a trust anchor',
          ];
    case 'too-long':
      return ['CHAIN_TOO_LONG', top, `more than ${top - 1} intermediate CA certificate(s) needed`];
  }
}

/** openssl's check_extensions, certificate by certificate from the leaf up. */
function extensionFailures(chain: readonly ParsedCertificate[], purpose: VerifyPurpose, fail: Fail): void {
  let belowCas = 0; // non-self-issued CAs below the current certificate (RFC 5280 §6.1.4 (l))
  chain.forEach((c, i) => {
    const x = c.extensions;
    // RFC 5280 §6.1.4 (o) and §6.1.5 (f): an unrecognised critical extension rejects the path.
    if (x.unhandledCritical.length > 0)
      fail(
        'CRITICAL_EXTENSION_UNHANDLED',
        i,
        `critical extension(s) not processed: ${x.unhandledCritical.join(', ')}`,
      );
    if (x.invalid.length > 0)
      fail('EXTENSION_INVALID', i, `extension(s) malformed or repeated: ${x.invalid.join(', ')}`);
    if (i > 0) {
      const status = caStatus(c);
      // RFC 5280 §6.1.4 (k): every issuer is a CA. openssl tolerates a v1 root or a keyUsage
      // keyCertSign without basicConstraints at the top only.
      if (status === 'no' || (status === 'legacy' && i < chain.length - 1)) {
        fail('ISSUER_NOT_CA', i, 'not a CA: basicConstraints cA is not TRUE or keyUsage lacks keyCertSign');
      }
    }
    if (purpose !== 'any') purposeFailure(c, i, purpose, fail);
    // RFC 5280 §6.1.4 (m): pathLenConstraint counts the CAs below, self-issued ones excepted.
    const pathLen = x.basicConstraints?.pathLen;
    if (i > 1 && pathLen !== undefined && belowCas > pathLen) {
      fail('PATH_LENGTH_EXCEEDED', i, `pathLenConstraint ${pathLen} but ${belowCas} CA certificate(s) below`);
    }
    if (i > 0 && !isSelfIssued(c)) belowCas++;
  });
}

function caStatus(c: ParsedCertificate): 'ca' | 'legacy' | 'no' {
  const { basicConstraints: bc, keyUsage: ku } = c.extensions;
  // RFC 5280 §4.2.1.3: keyCertSign is what lets a key sign certificates.
  if (ku && !ku.usages.includes('keyCertSign')) return 'no';
  if (bc) return bc.ca ? 'ca' : 'no';
  return (c.version === 1 && isSelfSigned(c)) || ku ? 'legacy' : 'no';
}

function purposeFailure(c: ParsedCertificate, depth: number, purpose: 'server' | 'client', fail: Fail): void {
  const wanted = purpose === 'server' ? OID.serverAuth : OID.clientAuth;
  const eku = c.extensions.extKeyUsage;
  // RFC 5280 §4.2.1.12: with the extension present the purpose must be listed. An application
  // MAY reject anyExtendedKeyUsage alone; openssl does for TLS, and so do we. A CA's EKU
  // constrains what it issues (CA/B BR §7.1.2.2), hence the check at every depth.
  if (eku && !eku.oids.includes(wanted)) {
    const name = purpose === 'server' ? 'serverAuth' : 'clientAuth';
    fail('PURPOSE', depth, `extendedKeyUsage does not include ${name}`);
    return;
  }
  const ku = c.extensions.keyUsage;
  if (depth !== 0 || !ku) return;
  // RFC 8446 §4.4.2.2 / RFC 5246 §7.4.2: TLS authenticates with a signature (digitalSignature);
  // a TLS 1.2 server may instead decrypt an RSA key transport (keyEncipherment).
  const ok =
    ku.usages.includes('digitalSignature') ||
    (purpose === 'server' && ku.usages.includes('keyEncipherment') && isRsa(c));
  if (!ok)
    fail(
      'LEAF_KEY_USAGE',
      0,
      `keyUsage ${ku.usages.join(', ')} does not allow TLS ${purpose} authentication`,
    );
}

function isRsa(c: ParsedCertificate): boolean {
  try {
    return spkiToKey(c.spki).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}

/** openssl's internal_verify: from the top down, issuer key usage, signature, then validity. */
function signatureAndTimeFailures(chain: readonly ParsedCertificate[], at: Date, fail: Fail): void {
  const top = chain.length - 1;
  // A self-signed top is the anchor (or already reported untrusted): its key is taken as
  // given, not its self-signature (RFC 5280 §6.1.1 (d)).
  let issuer: ParsedCertificate | undefined = isSelfSigned(chain[top]!) ? chain[top] : undefined;
  for (let i = top; i >= 0; i--) {
    const c = chain[i]!;
    if (issuer && issuer !== c) {
      // RFC 5280 §6.1.4 (n): a keyUsage present in the issuer must assert keyCertSign.
      const ku = issuer.extensions.keyUsage;
      if (ku && !ku.usages.includes('keyCertSign')) fail('KEY_USAGE', i + 1, 'keyUsage lacks keyCertSign');
      // RFC 5280 §6.1.3 (a)(1): the signature verifies with the working public key.
      const sig = signatureVerdict(issuer.spki, c.signatureAlgorithmOid, c.tbs, c.signature);
      if (sig === 'unsupported')
        fail('ALGORITHM_UNSUPPORTED', i, `signature algorithm ${c.signatureAlgorithmOid} is not supported`);
      else if (sig === 'bad')
        fail('SIGNATURE_INVALID', i, "the signature does not verify with the issuer's key");
    }
    // RFC 5280 §6.1.3 (a)(2), with §4.1.2.5's inclusive bounds; openssl checks the anchor too.
    if (c.notBefore.getTime() > at.getTime()) {
      fail('CERT_NOT_YET_VALID', i, `notBefore ${c.notBefore.toISOString()} is after ${at.toISOString()}`);
    }
    if (c.notAfter.getTime() < at.getTime()) {
      fail('CERT_EXPIRED', i, `notAfter ${c.notAfter.toISOString()} is before ${at.toISOString()}`);
    }
    issuer = c;
  }
}
