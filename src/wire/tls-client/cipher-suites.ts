import type { PrfHash } from './prf.js';

/** How the server authenticates its ECDHE parameters: the key type its certificate must carry. */
export type ServerAuth = 'ecdsa' | 'rsa';

export interface CipherSuite {
  readonly id: number;
  readonly name: CipherSuiteName;
  readonly auth: ServerAuth;
  readonly cipher: 'aes-128-gcm' | 'aes-256-gcm';
  readonly keyLength: 16 | 32;
  readonly prfHash: PrfHash;
}

export const CIPHER_SUITE_NAMES = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
] as const;
export type CipherSuiteName = (typeof CIPHER_SUITE_NAMES)[number];

/** RFC 5289 §3.2 (ECDHE with AES-GCM, PRF SHA-256 or SHA-384); offered in this order by default. */
export const CIPHER_SUITES: Readonly<Record<CipherSuiteName, CipherSuite>> = Object.freeze({
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: suite(
    0xc02b,
    'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    'ecdsa',
    16,
  ),
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: suite(0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'rsa', 16),
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: suite(
    0xc02c,
    'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    'ecdsa',
    32,
  ),
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: suite(0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'rsa', 32),
});

function suite(id: number, name: CipherSuiteName, auth: ServerAuth, keyLength: 16 | 32): CipherSuite {
  return Object.freeze({
    id,
    name,
    auth,
    keyLength,
    cipher: keyLength === 16 ? 'aes-128-gcm' : 'aes-256-gcm',
    prfHash: keyLength === 16 ? 'sha256' : 'sha384',
  });
}

export function cipherSuiteById(id: number): CipherSuite | undefined {
  return Object.values(CIPHER_SUITES).find((s) => s.id === id);
}
