/**
 * IANA names of the cipher suites an IoT lab meets (TLS Cipher Suites registry, RFC 8447 §8):
 * the TLS 1.3 suites, the ECDHE/DHE/RSA/PSK suites of TLS 1.0–1.2 that OpenSSL and Mbed TLS
 * offer, and the signalling values. Checked against `openssl ciphers -stdname` in the test.
 */
const SUITES: ReadonlyArray<readonly [number, string]> = [
  [0x0000, 'TLS_NULL_WITH_NULL_NULL'],
  [0x0001, 'TLS_RSA_WITH_NULL_MD5'],
  [0x0002, 'TLS_RSA_WITH_NULL_SHA'],
  [0x0004, 'TLS_RSA_WITH_RC4_128_MD5'],
  [0x0005, 'TLS_RSA_WITH_RC4_128_SHA'],
  [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA'],
  [0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA'],
  [0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA'],
  [0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA'],
  [0x003b, 'TLS_RSA_WITH_NULL_SHA256'],
  [0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256'],
  [0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256'],
  [0x0067, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256'],
  [0x006b, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256'],
  [0x008c, 'TLS_PSK_WITH_AES_128_CBC_SHA'],
  [0x008d, 'TLS_PSK_WITH_AES_256_CBC_SHA'],
  [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256'],
  [0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384'],
  [0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'],
  [0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'],
  [0x00a8, 'TLS_PSK_WITH_AES_128_GCM_SHA256'],
  [0x00a9, 'TLS_PSK_WITH_AES_256_GCM_SHA384'],
  [0x00aa, 'TLS_DHE_PSK_WITH_AES_128_GCM_SHA256'],
  [0x00ab, 'TLS_DHE_PSK_WITH_AES_256_GCM_SHA384'],
  [0x00ff, 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV'],
  [0x1301, 'TLS_AES_128_GCM_SHA256'],
  [0x1302, 'TLS_AES_256_GCM_SHA384'],
  [0x1303, 'TLS_CHACHA20_POLY1305_SHA256'],
  [0x1304, 'TLS_AES_128_CCM_SHA256'],
  [0x1305, 'TLS_AES_128_CCM_8_SHA256'],
  [0x5600, 'TLS_FALLBACK_SCSV'],
  [0xc007, 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA'],
  [0xc008, 'TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'],
  [0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA'],
  [0xc011, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA'],
  [0xc012, 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'],
  [0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA'],
  [0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256'],
  [0xc024, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384'],
  [0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256'],
  [0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384'],
  [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
  [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'],
  [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
  [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
  [0xc037, 'TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256'],
  [0xc09c, 'TLS_RSA_WITH_AES_128_CCM'],
  [0xc09d, 'TLS_RSA_WITH_AES_256_CCM'],
  [0xc09e, 'TLS_DHE_RSA_WITH_AES_128_CCM'],
  [0xc09f, 'TLS_DHE_RSA_WITH_AES_256_CCM'],
  [0xc0a8, 'TLS_PSK_WITH_AES_128_CCM_8'],
  [0xc0ac, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM'],
  [0xc0ad, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM'],
  [0xc0ae, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'],
  [0xc0af, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8'],
  [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccab, 'TLS_PSK_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccac, 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256'],
];

export const CIPHER_SUITE_NAMES: ReadonlyMap<number, string> = new Map(SUITES);

/** How the premaster secret is agreed, which fixes the ServerKeyExchange/ClientKeyExchange shape. */
export type KeyExchangeKind = 'ecdhe' | 'dhe' | 'rsa' | 'psk' | 'ecdhe_psk' | 'dhe_psk' | 'tls13';

export function keyExchangeOf(suite: number): KeyExchangeKind | undefined {
  const name = CIPHER_SUITE_NAMES.get(suite);
  if (name === undefined || name.endsWith('_SCSV') || suite === 0) return undefined;
  if (!name.includes('_WITH_')) return 'tls13';
  const kx = name.slice('TLS_'.length, name.indexOf('_WITH_'));
  if (kx.startsWith('ECDHE_PSK')) return 'ecdhe_psk';
  if (kx.startsWith('DHE_PSK')) return 'dhe_psk';
  if (kx.startsWith('ECDHE_')) return 'ecdhe';
  if (kx.startsWith('DHE_')) return 'dhe';
  if (kx === 'RSA') return 'rsa';
  if (kx === 'PSK') return 'psk';
  return undefined;
}

/**
 * Bytes an AEAD record adds to its plaintext, when the suite fixes it: the observer's way from a
 * record length to a message length. TLS 1.2 GCM/CCM carry an 8-byte explicit nonce and a
 * 16-byte tag (RFC 5288 §3, RFC 6655 §3; CCM_8 an 8-byte tag), ChaCha20-Poly1305 only the tag
 * (RFC 7905 §2); TLS 1.3 adds the inner content type byte to the tag (RFC 8446 §5.2), and can
 * pad, so there the result is an upper bound of the plaintext. CBC and stream suites: unknown.
 */
export function aeadOverhead(suite: number, tls13: boolean): number | undefined {
  const name = CIPHER_SUITE_NAMES.get(suite);
  if (name === undefined) return undefined;
  const tag = name.includes('CCM_8') ? 8 : 16;
  if (tls13) return keyExchangeOf(suite) === 'tls13' ? tag + 1 : undefined;
  if (name.includes('_GCM_') || name.includes('_CCM')) return 8 + tag;
  if (name.includes('CHACHA20_POLY1305')) return tag;
  return undefined;
}
