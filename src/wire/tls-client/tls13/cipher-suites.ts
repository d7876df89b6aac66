import type { Tls13Hash } from './key-schedule.js';
import type { Tls13Aead } from './record-protection.js';

export const TLS13_CIPHER_SUITE_NAMES = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
] as const;
export type Tls13CipherSuiteName = (typeof TLS13_CIPHER_SUITE_NAMES)[number];

/** A TLS 1.3 suite names only the AEAD and the hash (RFC 8446 §4.1.2, §B.4). */
export interface Tls13CipherSuite {
  readonly id: number;
  readonly name: Tls13CipherSuiteName;
  readonly aead: Tls13Aead;
  readonly keyLength: 16 | 32;
  readonly hash: Tls13Hash;
}

const suite = (
  id: number,
  name: Tls13CipherSuiteName,
  aead: Tls13Aead,
  keyLength: 16 | 32,
  hash: Tls13Hash,
): Tls13CipherSuite => Object.freeze({ id, name, aead, keyLength, hash });

/** RFC 8446 §B.4, in our default order of preference. */
export const TLS13_CIPHER_SUITES: Readonly<Record<Tls13CipherSuiteName, Tls13CipherSuite>> = Object.freeze({
  TLS_AES_128_GCM_SHA256: suite(0x1301, 'TLS_AES_128_GCM_SHA256', 'aes-128-gcm', 16, 'sha256'),
  TLS_AES_256_GCM_SHA384: suite(0x1302, 'TLS_AES_256_GCM_SHA384', 'aes-256-gcm', 32, 'sha384'),
  TLS_CHACHA20_POLY1305_SHA256: suite(
    0x1303,
    'TLS_CHACHA20_POLY1305_SHA256',
    'chacha20-poly1305',
    32,
    'sha256',
  ),
});

export function tls13CipherSuiteById(id: number): Tls13CipherSuite | undefined {
  return Object.values(TLS13_CIPHER_SUITES).find((s) => s.id === id);
}
