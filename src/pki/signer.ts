import { createPublicKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { defaultSignatureAlgorithm, SIGNATURE_ALGORITHMS, type SignatureAlgorithm } from './algorithms.js';
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
