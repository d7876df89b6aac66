import { constants, type KeyObject, verify } from 'node:crypto';
import type { SignatureAlgorithm } from '../../pki/algorithms.js';

/**
 * TLS 1.2 SignatureAndHashAlgorithm pairs (RFC 5246 §7.4.1.4.1) under their RFC 8446 §4.2.3
 * SignatureScheme names. In TLS 1.2 an ecdsa_* code point means "ECDSA with this hash" and
 * does not bind the curve (RFC 8446 §4.2.3 notes the difference).
 */
export interface SignatureScheme {
  readonly id: number;
  readonly name: string;
  readonly key: 'ec' | 'rsa';
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  readonly padding: 'ecdsa' | 'pkcs1' | 'pss';
}

const scheme = (
  id: number,
  name: string,
  key: 'ec' | 'rsa',
  hash: SignatureScheme['hash'],
  padding: SignatureScheme['padding'],
): SignatureScheme => Object.freeze({ id, name, key, hash, padding });

/** What we offer in signature_algorithms, in preference order. No SHA-1, no SHA-224. */
export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = Object.freeze([
  scheme(0x0403, 'ecdsa_secp256r1_sha256', 'ec', 'sha256', 'ecdsa'),
  scheme(0x0503, 'ecdsa_secp384r1_sha384', 'ec', 'sha384', 'ecdsa'),
  scheme(0x0603, 'ecdsa_secp521r1_sha512', 'ec', 'sha512', 'ecdsa'),
  scheme(0x0804, 'rsa_pss_rsae_sha256', 'rsa', 'sha256', 'pss'),
  scheme(0x0805, 'rsa_pss_rsae_sha384', 'rsa', 'sha384', 'pss'),
  scheme(0x0806, 'rsa_pss_rsae_sha512', 'rsa', 'sha512', 'pss'),
  scheme(0x0401, 'rsa_pkcs1_sha256', 'rsa', 'sha256', 'pkcs1'),
  scheme(0x0501, 'rsa_pkcs1_sha384', 'rsa', 'sha384', 'pkcs1'),
  scheme(0x0601, 'rsa_pkcs1_sha512', 'rsa', 'sha512', 'pkcs1'),
]);

export function signatureSchemeById(id: number): SignatureScheme | undefined {
  return SIGNATURE_SCHEMES.find((s) => s.id === id);
}

const HASH_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const;

/**
 * Verify a server signature under a scheme. The key must be of the scheme's type: an rsae
 * scheme needs an rsaEncryption key (RFC 8446 §4.2.3), ECDSA an EC key.
 */
export function verifyWithScheme(
  s: SignatureScheme,
  key: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (key.asymmetricKeyType !== s.key) return false;
  try {
    if (s.padding === 'ecdsa') return verify(s.hash, data, { key, dsaEncoding: 'der' }, signature);
    if (s.padding === 'pkcs1')
      return verify(s.hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
    // RFC 8446 §4.2.3: RSASSA-PSS with MGF1 of the same hash and a salt as long as the digest.
    return verify(
      s.hash,
      data,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[s.hash] },
      signature,
    );
  } catch {
    // A signature that does not even parse (bad DER, wrong length) does not verify.
    return false;
  }
}

/**
 * The scheme a `Signer` produces: the signer hashes the TBS itself, so its algorithm fixes the
 * hash; X.509's PKCS#1 v1.5 RSA signatures are the rsa_pkcs1_* schemes, and an RSA signer with
 * `rsaPadding: 'pss'` gives rsa_pss_rsae_* (RFC 8446 §4.2.3, usable in TLS 1.2 and 1.3).
 */
export function schemeForSigner(alg: SignatureAlgorithm, rsaPadding?: 'pss'): SignatureScheme {
  const id = {
    'ecdsa-with-SHA256': 0x0403,
    'ecdsa-with-SHA384': 0x0503,
    'ecdsa-with-SHA512': 0x0603,
    sha256WithRSAEncryption: rsaPadding === 'pss' ? 0x0804 : 0x0401,
    sha384WithRSAEncryption: rsaPadding === 'pss' ? 0x0805 : 0x0501,
    sha512WithRSAEncryption: rsaPadding === 'pss' ? 0x0806 : 0x0601,
  }[alg];
  return signatureSchemeById(id)!;
}
