/**
 * Why a certification path fails: stable reason codes (data, not errors) and the openssl
 * `verify` error number each one corresponds to. Codes never change meaning; messages may.
 */
export const VERIFY_REASONS = {
  // path building (RFC 4158; RFC 5280 §6.1 needs a path before it can validate one)
  ISSUER_UNKNOWN: 'no issuer of a certificate in the path was found among the anchors and intermediates',
  ANCHOR_NOT_SELF_SIGNED:
    'the path reaches a trusted certificate that is not self-signed and its issuer is unknown',
  SELF_SIGNED_NOT_TRUSTED: 'the certificate is self-signed and is not one of the trust anchors',
  SELF_SIGNED_IN_CHAIN: 'the path ends at a self-signed certificate that is not one of the trust anchors',
  CHAIN_TOO_LONG: 'the path needs more intermediate CAs than maxDepth allows',
  // extensions, CA flags, purpose, path length (RFC 5280 §6.1.4, §6.1.5)
  CRITICAL_EXTENSION_UNHANDLED: 'a certificate has a critical extension this validator does not process',
  EXTENSION_INVALID: 'a certificate extension does not decode or appears twice',
  ISSUER_NOT_CA: 'an issuing certificate is not a CA (basicConstraints, or keyUsage without keyCertSign)',
  PURPOSE: 'an extended key usage in the path excludes the requested purpose',
  LEAF_KEY_USAGE: "the end-entity certificate's key usage does not allow the TLS purpose",
  PATH_LENGTH_EXCEEDED: 'more CAs sit below a CA than its pathLenConstraint allows',
  // reference identity (RFC 6125)
  HOSTNAME_MISMATCH: 'the certificate is not valid for the DNS name asked for',
  IP_ADDRESS_MISMATCH: 'the certificate is not valid for the IP address asked for',
  // revocation (RFC 5280 §6.3)
  CRL_MISSING: 'CRL checking is on and no CRL from the issuer was given',
  CRL_KEY_USAGE: "the CRL issuer's key usage lacks cRLSign",
  CRL_NOT_YET_VALID: 'the CRL thisUpdate is later than the validation time',
  CRL_EXPIRED: 'the CRL nextUpdate is earlier than the validation time',
  CRL_SIGNATURE_INVALID: "the CRL signature does not verify with the issuer's key",
  CRL_CRITICAL_EXTENSION_UNHANDLED: 'the CRL has a critical extension this validator does not process',
  REVOKED: "the certificate is listed in its issuer's CRL",
  // signatures and validity periods (RFC 5280 §6.1.3)
  KEY_USAGE: "an issuer's key usage lacks keyCertSign",
  ALGORITHM_UNSUPPORTED: 'a signature uses an algorithm this validator does not verify',
  SIGNATURE_INVALID: "a certificate signature does not verify with its issuer's key",
  CERT_NOT_YET_VALID: 'a certificate notBefore is later than the validation time',
  CERT_EXPIRED: 'a certificate notAfter is earlier than the validation time',
} as const;

export type VerifyReason = keyof typeof VERIFY_REASONS;

/** X509_V_ERR_* numbers of OpenSSL 3.0 (include/openssl/x509_vfy.h). */
const OPENSSL_ERRORS: Readonly<Record<VerifyReason, number>> = Object.freeze({
  ISSUER_UNKNOWN: 20, // UNABLE_TO_GET_ISSUER_CERT_LOCALLY
  ANCHOR_NOT_SELF_SIGNED: 2, // UNABLE_TO_GET_ISSUER_CERT
  SELF_SIGNED_NOT_TRUSTED: 18, // DEPTH_ZERO_SELF_SIGNED_CERT
  SELF_SIGNED_IN_CHAIN: 19, // SELF_SIGNED_CERT_IN_CHAIN
  CHAIN_TOO_LONG: 22, // CERT_CHAIN_TOO_LONG
  CRITICAL_EXTENSION_UNHANDLED: 34, // UNHANDLED_CRITICAL_EXTENSION
  EXTENSION_INVALID: 41, // INVALID_EXTENSION
  ISSUER_NOT_CA: 79, // INVALID_CA (24 before OpenSSL 3.0)
  PURPOSE: 26, // INVALID_PURPOSE
  LEAF_KEY_USAGE: 26, // openssl folds the leaf key usage into its purpose check
  PATH_LENGTH_EXCEEDED: 25, // PATH_LENGTH_EXCEEDED
  HOSTNAME_MISMATCH: 62, // HOSTNAME_MISMATCH
  IP_ADDRESS_MISMATCH: 64, // IP_ADDRESS_MISMATCH
  CRL_MISSING: 3, // UNABLE_TO_GET_CRL
  CRL_KEY_USAGE: 35, // KEYUSAGE_NO_CRL_SIGN
  CRL_NOT_YET_VALID: 11, // CRL_NOT_YET_VALID
  CRL_EXPIRED: 12, // CRL_HAS_EXPIRED
  CRL_SIGNATURE_INVALID: 8, // CRL_SIGNATURE_FAILURE
  CRL_CRITICAL_EXTENSION_UNHANDLED: 36, // UNHANDLED_CRITICAL_CRL_EXTENSION
  REVOKED: 23, // CERT_REVOKED
  KEY_USAGE: 32, // KEYUSAGE_NO_CERTSIGN
  ALGORITHM_UNSUPPORTED: 76, // UNSUPPORTED_SIGNATURE_ALGORITHM
  SIGNATURE_INVALID: 7, // CERT_SIGNATURE_FAILURE
  CERT_NOT_YET_VALID: 9, // CERT_NOT_YET_VALID
  CERT_EXPIRED: 10, // CERT_HAS_EXPIRED
});

/** openssl `verify` error number equivalent of a reason, for interop tests and users who know openssl */
export function opensslErrorFor(reason: VerifyReason): number {
  const n = OPENSSL_ERRORS[reason];
  if (n === undefined) throw new RangeError(`unknown verify reason ${String(reason)}`);
  return n;
}

/** One reason a path fails, at a depth counted as openssl does (0 = the end-entity certificate). */
export interface PathFailure {
  readonly reason: VerifyReason;
  readonly depth: number;
  readonly subject: string;
  readonly message: string;
}
