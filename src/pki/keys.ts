import { createHash, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { LabError } from '../core/errors.js';
import { readTlv } from './der.js';
import { encodePem } from './pem.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export const KEY_TYPES = ['rsa-2048', 'rsa-3072', 'rsa-4096', 'p256', 'p384'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

const ALIASES: Readonly<Record<string, KeyType>> = {
  'rsa-2048': 'rsa-2048',
  rsa2048: 'rsa-2048',
  rsa: 'rsa-2048',
  'rsa-3072': 'rsa-3072',
  rsa3072: 'rsa-3072',
  'rsa-4096': 'rsa-4096',
  rsa4096: 'rsa-4096',
  p256: 'p256',
  'p-256': 'p256',
  'ec-p256': 'p256',
  prime256v1: 'p256',
  secp256r1: 'p256',
  ec: 'p256',
  p384: 'p384',
  'p-384': 'p384',
  'ec-p384': 'p384',
  secp384r1: 'p384',
};

export function parseKeyType(name: string): KeyType {
  const t = ALIASES[name.toLowerCase()];
  if (!t) {
    throw new LabError(
      'ERR_PKI_KEY_TYPE_UNKNOWN',
      `unknown key type "${name}" (use ${KEY_TYPES.join(', ')})`,
      {
        details: { keyType: name },
      },
    );
  }
  return t;
}

export async function generatePrivateKey(type: KeyType): Promise<KeyObject> {
  if (type.startsWith('rsa-')) {
    const modulusLength = Number(type.slice(4));
    return (await generateKeyPairAsync('rsa', { modulusLength, publicExponent: 0x10001 })).privateKey;
  }
  const namedCurve = type === 'p256' ? 'P-256' : 'P-384';
  return (await generateKeyPairAsync('ec', { namedCurve })).privateKey;
}

/** PKCS#8 PEM; with a passphrase, PBES2 (PBKDF2 + AES-256-CBC) as `openssl pkcs8 -topk8 -v2 aes256`. */
export function privateKeyToPem(key: KeyObject, passphrase?: string): string {
  if (passphrase !== undefined) {
    return key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string;
  }
  return key.export({ type: 'pkcs8', format: 'pem' }) as string;
}

export function isEncryptedKeyPem(text: string): boolean {
  return text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /Proc-Type:\s*4,ENCRYPTED/.test(text);
}

/**
 * RFC 5958 §3: EncryptedPrivateKeyInfo starts with an AlgorithmIdentifier (a SEQUENCE), where
 * a clear PrivateKeyInfo starts with its version (an INTEGER).
 */
function isEncryptedKeyDer(der: Uint8Array): boolean {
  try {
    const outer = readTlv(der);
    return outer.tag === 0x30 && readTlv(outer.value).tag === 0x30;
  } catch {
    return false;
  }
}

/**
 * Load a private key (PKCS#8, PKCS#1, SEC1; PEM or DER; encrypted or not). `what` names the
 * key in errors (a path or "CA key"); the passphrase never appears in them.
 */
export function loadPrivateKey(input: string | Uint8Array, what: string, passphrase?: string): KeyObject {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  const isPem = text.includes('-----BEGIN');
  const encrypted = isPem ? isEncryptedKeyPem(text) : isEncryptedKeyDer(input as Uint8Array);
  if (encrypted && passphrase === undefined) {
    throw new LabError(
      'ERR_PKI_PASSPHRASE_REQUIRED',
      `${what} is encrypted: give its passphrase (--passin)`,
      {
        details: { what },
      },
    );
  }
  let key: KeyObject;
  try {
    key = isPem
      ? createPrivateKey({ key: text, format: 'pem', passphrase })
      : createPrivateKey({ key: Buffer.from(input as Uint8Array), format: 'der', type: 'pkcs8', passphrase });
  } catch (err) {
    if (encrypted) {
      throw new LabError('ERR_PKI_KEY_PASSPHRASE', `${what}: the passphrase does not decrypt the key`, {
        details: { what },
      });
    }
    throw new LabError('ERR_PKI_KEY_MALFORMED', `${what} is not a private key in PEM or DER`, {
      cause: err,
      details: { what },
    });
  }
  assertSupportedKey(key, what);
  return key;
}

/** RSA >= 2048 bits (NIST SP 800-131A), EC on P-256, P-384 or P-521. */
export function assertSupportedKey(key: KeyObject, what: string): void {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa' && (d?.modulusLength ?? 0) >= 2048) return;
  if (
    key.asymmetricKeyType === 'ec' &&
    ['prime256v1', 'secp384r1', 'secp521r1'].includes(d?.namedCurve ?? '')
  )
    return;
  throw new LabError(
    'ERR_PKI_KEY_UNSUPPORTED',
    `${what}: ${describeKey(key)} is not supported (RSA >= 2048 or EC P-256/P-384/P-521)`,
    {
      details: { what, key: describeKey(key) },
    },
  );
}

export function publicKeyDer(key: KeyObject): Uint8Array {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return new Uint8Array(pub.export({ type: 'spki', format: 'der' }));
}

export function publicKeyPem(key: KeyObject): string {
  return encodePem('PUBLIC KEY', publicKeyDer(key));
}

export function spkiToKey(spki: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
}

/** "RSA 2048" / "EC P-256": the lab sheet's "key size" row. */
export function describeKey(key: KeyObject): string {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return `RSA ${d?.modulusLength ?? '?'}`;
  if (key.asymmetricKeyType === 'ec') return `EC ${curveName(d?.namedCurve)}`;
  return String(key.asymmetricKeyType ?? 'unknown').toUpperCase();
}

export function keyBits(key: KeyObject): number | undefined {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return d?.modulusLength;
  if (key.asymmetricKeyType === 'ec')
    return { prime256v1: 256, secp384r1: 384, secp521r1: 521 }[d?.namedCurve ?? ''];
  if (key.asymmetricKeyType === 'ed25519') return 256;
  return undefined;
}

function curveName(curve: string | undefined): string {
  return { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[curve ?? ''] ?? curve ?? '?';
}

/** True when the private key and the SubjectPublicKeyInfo are the same key pair. */
export function keyMatchesSpki(key: KeyObject, spki: Uint8Array): boolean {
  return Buffer.from(publicKeyDer(key)).equals(Buffer.from(spki));
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
