import type { KeyObject } from 'node:crypto';
import { LabError } from '../../core/errors.js';
import { type ParsedCertificate, parseCertificateDer } from '../../pki/certificate.js';
import { spkiToKey } from '../../pki/keys.js';
import { type PathFailure, type VerifyReason, validatePath } from '../../pki/validate.js';
import type { ServerAuth } from './cipher-suites.js';
import type { AlertName } from './codes.js';
import { certificateFailure, handshakeFailure } from './failure.js';

/**
 * The alert for a path-validation reason, as OpenSSL's ssl_verify_alarm_type chooses it, so a
 * server log reads the same whichever client refused its certificate.
 */
const ALERT_FOR_REASON: Readonly<Record<VerifyReason, AlertName>> = Object.freeze({
  ISSUER_UNKNOWN: 'unknown_ca',
  ANCHOR_NOT_SELF_SIGNED: 'unknown_ca',
  SELF_SIGNED_NOT_TRUSTED: 'unknown_ca',
  SELF_SIGNED_IN_CHAIN: 'unknown_ca',
  CHAIN_TOO_LONG: 'unknown_ca',
  ISSUER_NOT_CA: 'unknown_ca',
  PATH_LENGTH_EXCEEDED: 'unknown_ca',
  CRITICAL_EXTENSION_UNHANDLED: 'bad_certificate',
  EXTENSION_INVALID: 'bad_certificate',
  PURPOSE: 'unsupported_certificate',
  LEAF_KEY_USAGE: 'unsupported_certificate',
  HOSTNAME_MISMATCH: 'bad_certificate',
  IP_ADDRESS_MISMATCH: 'bad_certificate',
  CRL_MISSING: 'certificate_unknown',
  CRL_KEY_USAGE: 'certificate_unknown',
  CRL_NOT_YET_VALID: 'certificate_unknown',
  CRL_EXPIRED: 'certificate_expired',
  CRL_SIGNATURE_INVALID: 'decrypt_error',
  CRL_CRITICAL_EXTENSION_UNHANDLED: 'certificate_unknown',
  REVOKED: 'certificate_revoked',
  KEY_USAGE: 'bad_certificate',
  ALGORITHM_UNSUPPORTED: 'bad_certificate',
  SIGNATURE_INVALID: 'decrypt_error',
  CERT_NOT_YET_VALID: 'bad_certificate',
  CERT_EXPIRED: 'certificate_expired',
});

export function alertForReason(reason: VerifyReason): AlertName {
  return ALERT_FOR_REASON[reason];
}

export interface ServerIdentity {
  readonly certificates: readonly ParsedCertificate[];
  readonly key: KeyObject;
  /** Did the chain validate? False only when the caller explicitly turned rejection off. */
  readonly authorized: boolean;
  readonly failures: readonly PathFailure[];
}

export interface AuthenticateParams {
  readonly chain: readonly Uint8Array[];
  readonly anchors: readonly ParsedCertificate[];
  readonly serverName: string | undefined;
  readonly at: Date;
  readonly rejectUnauthorized: boolean;
  /** The suite's key type in TLS 1.2; 'tls13' when the signature scheme, not the suite, decides (RFC 8446 §4.4.2.2). */
  readonly auth: ServerAuth | 'tls13';
  /** Curves of an ECDSA leaf we accept: those we offered in supported_groups (RFC 8422 §5.3). */
  readonly curves: readonly string[];
}

/**
 * The server's Certificate message, judged: every certificate parses (bad_certificate), the
 * path validates to an anchor for serverAuth and the name we connected to (RFC 5280 §6 by
 * pki/validate.ts, RFC 6125 by pki/hostname.ts), and the leaf key suits the cipher suite.
 */
export function authenticateServer(p: AuthenticateParams): ServerIdentity {
  // RFC 5246 §7.4.2: the server's certificate_list is never empty in a certificate-based suite.
  if (p.chain.length === 0) throw handshakeFailure('handshake_failure', 'the server sent no certificate');
  const certificates = p.chain.map((der, i) => {
    // RFC 5280 §4.1: a Certificate is one DER SEQUENCE, whose length must cover the ASN.1Cert
    // exactly; checked first because it is cheap and the full parse is not.
    if (!isDerSequence(der))
      throw certificateFailure('bad_certificate', `server certificate ${i} is not a DER SEQUENCE`, {
        depth: i,
      });
    try {
      return parseCertificateDer(der, `server certificate ${i}`);
    } catch (err) {
      // RFC 5246 §7.2.2 bad_certificate: "A certificate was corrupt".
      const why = err instanceof LabError ? err.code : 'unparsable';
      throw certificateFailure('bad_certificate', `server certificate ${i} does not parse`, {
        depth: i,
        cause: why,
      });
    }
  });
  const leaf = certificates[0]!;
  const { failures } = validatePath({
    leaf,
    anchors: p.anchors,
    intermediates: certificates.slice(1),
    at: p.at,
    purpose: 'server',
    ...(p.serverName === undefined ? {} : { hostname: p.serverName }),
  });
  const first = failures[0];
  if (first && p.rejectUnauthorized)
    throw certificateFailure(alertForReason(first.reason), `server certificate: ${first.message}`, {
      verifyReason: first.reason,
      depth: first.depth,
      subject: first.subject,
      failures: failures.map((f) => f.reason),
    });
  return { certificates, key: leafKey(leaf, p.auth, p.curves), authorized: failures.length === 0, failures };
}

function isDerSequence(der: Uint8Array): boolean {
  if (der.length < 2 || der[0] !== 0x30) return false;
  const first = der[1]!;
  if (first < 0x80) return der.length === 2 + first;
  const n = first & 0x7f;
  // X.690 §10.1: definite form with the fewest octets; an ASN.1Cert is < 2^24 bytes.
  if (n === 0 || n > 3 || der.length < 2 + n || der[2] === 0) return false;
  let length = 0;
  for (let k = 0; k < n; k++) length = length * 256 + der[2 + k]!;
  return length >= 0x80 && der.length === 2 + n + length;
}

const NODE_CURVES: Readonly<Record<string, string>> = {
  prime256v1: 'secp256r1',
  secp384r1: 'secp384r1',
  secp521r1: 'secp521r1',
};
/** RFC 8446 §4.2.3: the curves our offered ecdsa_* schemes name (the scheme binds the curve in 1.3). */
const TLS13_CURVES: readonly string[] = ['secp256r1', 'secp384r1', 'secp521r1'];

function leafKey(leaf: ParsedCertificate, auth: ServerAuth | 'tls13', curves: readonly string[]): KeyObject {
  let key: KeyObject;
  try {
    key = spkiToKey(leaf.spki);
  } catch {
    throw certificateFailure('bad_certificate', 'the server certificate public key does not parse');
  }
  // RFC 8422 §5.3 (ECDHE_ECDSA: an ECDSA-capable key on a curve the client supports) and
  // RFC 5246 §7.4.2 (ECDHE_RSA: an RSA key usable for signatures).
  const type = key.asymmetricKeyType;
  const curve = type === 'ec' ? NODE_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''] : undefined;
  const ok =
    auth === 'tls13'
      ? type === 'rsa' || (type === 'ec' && curve !== undefined && TLS13_CURVES.includes(curve))
      : auth === 'rsa'
        ? type === 'rsa'
        : type === 'ec' && curve !== undefined && curves.includes(curve);
  if (!ok)
    throw handshakeFailure(
      'unsupported_certificate',
      `the server certificate key (${type}) does not suit ${auth === 'tls13' ? 'our TLS 1.3 signature schemes' : `an ECDHE_${auth.toUpperCase()} suite`}`,
      {
        keyType: type,
      },
    );
  // RFC 5246 §7.4.2 / RFC 8422 §5.3: the key signs ServerKeyExchange, so a keyUsage extension,
  // when present, MUST have digitalSignature (an RSA key for key transport only will not do).
  const ku = leaf.extensions.keyUsage;
  if (ku && !ku.usages.includes('digitalSignature'))
    throw certificateFailure(
      'unsupported_certificate',
      'the server certificate key may not sign (keyUsage)',
      {
        keyUsage: ku.usages,
      },
    );
  return key;
}
