import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { LabError } from '../core/errors.js';

export type HashName = 'sha256' | 'sha384' | 'sha512';
export type SignatureAlgorithm =
  | 'sha256WithRSAEncryption'
  | 'sha384WithRSAEncryption'
  | 'sha512WithRSAEncryption'
  | 'ecdsa-with-SHA256'
  | 'ecdsa-with-SHA384'
  | 'ecdsa-with-SHA512';

interface AlgorithmInfo {
  readonly oid: string;
  readonly hash: HashName;
  readonly key: 'rsa' | 'ec';
}

export const SIGNATURE_ALGORITHMS: Readonly<Record<SignatureAlgorithm, AlgorithmInfo>> = Object.freeze({
  sha256WithRSAEncryption: { oid: '1.2.840.113549.1.1.11', hash: 'sha256', key: 'rsa' },
  sha384WithRSAEncryption: { oid: '1.2.840.113549.1.1.12', hash: 'sha384', key: 'rsa' },
  sha512WithRSAEncryption: { oid: '1.2.840.113549.1.1.13', hash: 'sha512', key: 'rsa' },
  'ecdsa-with-SHA256': { oid: '1.2.840.10045.4.3.2', hash: 'sha256', key: 'ec' },
  'ecdsa-with-SHA384': { oid: '1.2.840.10045.4.3.3', hash: 'sha384', key: 'ec' },
  'ecdsa-with-SHA512': { oid: '1.2.840.10045.4.3.4', hash: 'sha512', key: 'ec' },
});

const BY_OID = new Map(
  Object.entries(SIGNATURE_ALGORITHMS).map(([name, info]) => [info.oid, name as SignatureAlgorithm]),
);

/** Names for OIDs we recognise but do not sign or verify with (shown by inspect). */
const OTHER_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.3.101.112': 'ED25519',
};

export function signatureAlgorithmName(oid: string): string {
  return BY_OID.get(oid) ?? OTHER_NAMES[oid] ?? oid;
}

export function signatureAlgorithmFromOid(oid: string): SignatureAlgorithm {
  const name = BY_OID.get(oid);
  if (!name) {
    throw new LabError(
      'ERR_PKI_ALGORITHM_UNSUPPORTED',
      `signature algorithm ${signatureAlgorithmName(oid)} is not supported`,
      {
        details: { oid },
      },
    );
  }
  return name;
}

/**
 * AlgorithmIdentifier for a signature. RFC 4055 §5: RSA PKCS#1 v1.5 carries NULL parameters;
 * RFC 5758 §3.2: ECDSA omits them.
 */
export function algorithmIdentifier(alg: SignatureAlgorithm): AlgorithmIdentifier {
  const info = SIGNATURE_ALGORITHMS[alg];
  return new AlgorithmIdentifier({ algorithm: info.oid, parameters: info.key === 'rsa' ? null : undefined });
}

export function algorithmIdentifierDer(alg: SignatureAlgorithm): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(algorithmIdentifier(alg)));
}

/** The signature algorithm a key signs with: SHA-256 for RSA and P-256, SHA-384 for P-384. */
export function defaultSignatureAlgorithm(key: KeyObject): SignatureAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'sha256WithRSAEncryption';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'secp384r1') return 'ecdsa-with-SHA384';
    if (curve === 'secp521r1') return 'ecdsa-with-SHA512';
    return 'ecdsa-with-SHA256';
  }
  throw new LabError(
    'ERR_PKI_KEY_UNSUPPORTED',
    `keys of type ${key.asymmetricKeyType} cannot sign certificates here`,
  );
}

/** Verify a signature over `data` with the key in a DER SubjectPublicKeyInfo. */
export function verifySignature(
  spki: Uint8Array,
  algOid: string,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const alg = signatureAlgorithmFromOid(algOid);
  const info = SIGNATURE_ALGORITHMS[alg];
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    return false;
  }
  if (key.asymmetricKeyType !== (info.key === 'rsa' ? 'rsa' : 'ec')) return false;
  try {
    return cryptoVerify(info.hash, data, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
