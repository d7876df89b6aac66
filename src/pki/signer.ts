import { constants, createPublicKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { LabError } from '../core/errors.js';
import {
  defaultSignatureAlgorithm,
  type HashName,
  SIGNATURE_ALGORITHMS,
  type SignatureAlgorithm,
} from './algorithms.js';
import { publicKeyDer } from './keys.js';

/**
 * The seam between the PKI and whatever holds a private key. The PKI hands over the exact
 * TBS bytes and gets back the signature value as X.509 carries it (PKCS#1 v1.5 bytes for RSA,
 * a DER ECDSA-Sig-Value for ECDSA). A secure element that returns raw R‖S wraps its output
 * with `ecdsaRawToDer`; the private key never has to exist in this process.
 */
export interface Signer {
  /** DER SubjectPublicKeyInfo of the signing key. */
  readonly publicKeyInfo: Uint8Array;
  readonly signatureAlgorithm: SignatureAlgorithm;
  /**
   * RSA only: 'pss' means the signer produces RSASSA-PSS with MGF1 of the algorithm's hash and
   * a salt as long as the digest (RFC 8446 §4.2.3 rsa_pss_rsae_*), not PKCS#1 v1.5. Absent for
   * every X.509 signer: such a signer is for TLS CertificateVerify, never for issuing
   * certificates or CRLs (their AlgorithmIdentifier here names PKCS#1 v1.5).
   */
  readonly rsaPadding?: 'pss';
  sign(tbs: Uint8Array): Promise<Uint8Array>;
}

export function keySigner(privateKey: KeyObject, algorithm?: SignatureAlgorithm): Signer {
  const alg = algorithm ?? defaultSignatureAlgorithm(privateKey);
  const hash = SIGNATURE_ALGORITHMS[alg].hash;
  const publicKeyInfo = publicKeyDer(createPublicKey(privateKey));
  return Object.freeze({
    publicKeyInfo,
    signatureAlgorithm: alg,
    sign: async (tbs: Uint8Array) =>
      new Uint8Array(cryptoSign(hash, tbs, { key: privateKey, dsaEncoding: 'der' })),
  });
}

const HASH_BYTES: Readonly<Record<HashName, number>> = { sha256: 32, sha384: 48, sha512: 64 };

/**
 * A software RSASSA-PSS signer (RFC 8017 §8.1) for TLS CertificateVerify: rsa_pss_rsae_sha256
 * by default. Each signature is randomised by its salt, so two calls give different bytes.
 */
export function rsaPssSigner(privateKey: KeyObject, hash: HashName = 'sha256'): Signer {
  // RFC 8446 §4.2.3: rsa_pss_rsae_* uses an rsaEncryption key; an RSASSA-PSS-only key is rsa_pss_pss_*.
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'rsa')
    throw new LabError(
      'ERR_PKI_KEY_UNSUPPORTED',
      'an RSA-PSS signer needs an RSA (rsaEncryption) private key',
      {
        details: { keyType: privateKey.asymmetricKeyType ?? privateKey.type },
      },
    );
  const publicKeyInfo = publicKeyDer(createPublicKey(privateKey));
  const signatureAlgorithm = `${hash}WithRSAEncryption` as const;
  return Object.freeze({
    publicKeyInfo,
    signatureAlgorithm,
    rsaPadding: 'pss' as const,
    sign: async (tbs: Uint8Array) =>
      new Uint8Array(
        cryptoSign(hash, tbs, {
          key: privateKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: HASH_BYTES[hash],
        }),
      ),
  });
}

/** Raw big-endian R‖S (as the ATECC608B Sign command returns it) → DER ECDSA-Sig-Value (RFC 3279 §2.2.3). */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0)
    throw new RangeError('raw ECDSA signature must be R‖S of equal halves');
  const half = raw.length / 2;
  const int = (bytes: Uint8Array): number[] => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    const body = [...bytes.subarray(i)];
    if (body[0]! & 0x80) body.unshift(0);
    return [0x02, ...derLength(body.length), ...body];
  };
  const seq = [...int(raw.subarray(0, half)), ...int(raw.subarray(half))];
  return Uint8Array.from([0x30, ...derLength(seq.length), ...seq]);
}

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  return [0x82, n >> 8, n & 0xff];
}
