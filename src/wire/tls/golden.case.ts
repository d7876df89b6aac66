// Golden bytes shared by the tests of this folder (excluded from the build like every *.case.ts).
// Message bodies are literal hex, annotated field by field; only the record and handshake headers
// around them are computed, and one test checks those headers against literal bytes too.
import type { TlsDirection, TlsStreamChunk } from './types.js';

export const hex = (s: string): Uint8Array =>
  Uint8Array.from(Buffer.from(s.replace(/\s+|#.*$/gm, ''), 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function cat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/** RFC 5246 §6.2.1 TLSPlaintext: type, version, uint16 length, fragment. */
export function record(type: number, fragment: Uint8Array, version = 0x0303): Uint8Array {
  return cat(
    Uint8Array.of(type, version >> 8, version & 0xff, fragment.length >> 8, fragment.length & 0xff),
    fragment,
  );
}

/** RFC 8446 §4: msg_type, uint24 length, body. */
export function handshake(type: number, body: Uint8Array): Uint8Array {
  const n = body.length;
  return cat(Uint8Array.of(type, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff), body);
}

export const fill = (n: number, byte: number): Uint8Array => new Uint8Array(n).fill(byte);

export function chunk(direction: TlsDirection, timestampUs: number, ...parts: Uint8Array[]): TlsStreamChunk {
  return { direction, timestampUs, bytes: cat(...parts) };
}

/** RFC 8448 §3 "Simple 1-RTT Handshake": the ClientHello and ServerHello handshake messages. */
export const RFC8448 = {
  clientHello: hex(`
    01 00 00 c0 03 03 cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12
    ec 18 a2 ef 62 83 02 4d ec e7 00 00 06 13 01 13 03 13 02 01 00 00 91 00 00 00 0b 00
    09 00 00 06 73 65 72 76 65 72 ff 01 00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00
    19 01 00 01 01 01 02 01 03 01 04 00 23 00 00 00 33 00 26 00 24 00 1d 00 20 99 38 1d
    e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69 1e 52 9a af
    2c 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06
    04 01 05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01`),
  serverHello: hex(`
    02 00 00 56 03 03 a6 af 06 a4 12 18 60 dc 5e 6e 60 24 9c d3 4c 95 93 0c 8a c5 cb 14
    34 da c1 55 77 2e d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24 00 1d 00 20 c9 82 88 76
    11 20 95 fe 66 76 2b db f7 c6 72 e1 56 d6 cc 25 3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f
    00 2b 00 02 03 04`),
  /** The trace's Transcript-Hash(ClientHello, ServerHello): proves the two vectors intact. */
  helloTranscriptSha256: '860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8',
};

/** A TLS 1.2 ClientHello body: SNI localhost, two ECDHE-GCM suites, ALPN mqtt. */
export const CLIENT_HELLO_12 = hex(`
  03 03                                     # legacy_version TLS 1.2
  000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f  # random
  00                                        # session id: empty
  00 04 c0 2b c0 2f                         # cipher suites: ECDHE-ECDSA/RSA-AES128-GCM-SHA256
  01 00                                     # compression: null
  00 3b                                     # extensions, 59 bytes
  00 00 00 0e 00 0c 00 00 09 6c6f63616c686f7374   # server_name host_name "localhost"
  00 0a 00 06 00 04 00 1d 00 17             # supported_groups x25519, secp256r1
  00 0d 00 06 00 04 04 03 08 04             # signature_algorithms ecdsa_p256_sha256, rsa_pss_rsae_sha256
  00 10 00 07 00 05 04 6d717474             # ALPN "mqtt"
  00 0b 00 02 01 00                         # ec_point_formats uncompressed
  00 17 00 00                               # extended_master_secret`);

/** A TLS 1.2 ServerHello body choosing ECDHE-RSA-AES128-GCM-SHA256 and ALPN mqtt. */
export const SERVER_HELLO_12 = hex(`
  03 03                                     # legacy_version TLS 1.2
  a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf  # random
  20 5555555555555555555555555555555555555555555555555555555555555555  # session id, 32 bytes
  c0 2f                                     # TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
  00                                        # compression null
  00 14                                     # extensions, 20 bytes
  ff 01 00 01 00                            # renegotiation_info, empty
  00 10 00 07 00 05 04 6d717474             # ALPN "mqtt"
  00 17 00 00                               # extended_master_secret`);

/** RFC 8422 §5.4 ServerKeyExchange: named_curve x25519, a 32-byte point, an 8-byte signature. */
export const SERVER_KEY_EXCHANGE = hex(`
  03 00 1d                                  # curve_type named_curve, x25519
  20 ${'11'.repeat(32)}                     # ECPoint, 32 bytes
  08 04 00 08 ${'22'.repeat(8)}             # rsa_pss_rsae_sha256, signature of 8 bytes`);

/** "CN=Test CA" as a DER Name: SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, UTF8String } } }. */
export const TEST_CA_NAME = hex('30 12 31 10 30 0e 06 03 55 04 03 0c 07 54657374204341');

/** RFC 5246 §7.4.4 CertificateRequest: rsa_sign + ecdsa_sign, two schemes, one CA name. */
export const CERTIFICATE_REQUEST = cat(
  hex(`
  02 01 40                                  # certificate_types rsa_sign, ecdsa_sign
  00 04 04 03 08 04                         # supported_signature_algorithms
  00 16 00 14                               # certificate_authorities: one 20-byte DN`),
  TEST_CA_NAME,
);

/** RFC 8422 §5.7 ClientKeyExchange: a 32-byte ECDH point. */
export const CLIENT_KEY_EXCHANGE = hex(`20 ${'33'.repeat(32)}`);
/** RFC 5246 §7.4.8 CertificateVerify: ecdsa_secp256r1_sha256, 8-byte signature. */
export const CERTIFICATE_VERIFY = hex(`04 03 00 08 ${'44'.repeat(8)}`);

/** RFC 5246 §7.4.2 Certificate: certificate_list of the given DER certificates. */
export function certificateBody(ders: readonly Uint8Array[]): Uint8Array {
  const u24 = (n: number) => Uint8Array.of((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
  const entries = cat(...ders.map((d) => cat(u24(d.length), d)));
  return cat(u24(entries.length), entries);
}

/**
 * A whole TLS 1.2 mutual-TLS connection as chunks, the way a capture sees it: server flight in
 * one chunk, client flight in another, encrypted Finished (40 bytes: GCM nonce + 16 + tag),
 * then application data of the given plaintext sizes (+24 bytes of GCM overhead) and a
 * close_notify under encryption (2 + 24 = 26 bytes).
 */
export function tls12Connection(
  serverCerts: readonly Uint8Array[],
  clientCerts: readonly Uint8Array[],
  appData: { c2s: number[]; s2c: number[] } = { c2s: [100], s2c: [4] },
): TlsStreamChunk[] {
  const hs = (type: number, body: Uint8Array) => record(22, handshake(type, body));
  let t = 1_000;
  const next = () => (t += 1_000);
  const out = [
    chunk('c2s', next(), record(22, handshake(1, CLIENT_HELLO_12), 0x0301)),
    chunk(
      's2c',
      next(),
      hs(2, SERVER_HELLO_12),
      hs(11, certificateBody(serverCerts)),
      // One record holding two messages (RFC 5246 §6.2.1 allows coalescing).
      record(22, cat(handshake(12, SERVER_KEY_EXCHANGE), handshake(13, CERTIFICATE_REQUEST))),
      hs(14, new Uint8Array(0)),
    ),
    chunk(
      'c2s',
      next(),
      hs(11, certificateBody(clientCerts)),
      hs(16, CLIENT_KEY_EXCHANGE),
      hs(15, CERTIFICATE_VERIFY),
      record(20, Uint8Array.of(1)),
      record(22, fill(40, 0xe1)),
    ),
    chunk('s2c', next(), record(20, Uint8Array.of(1)), record(22, fill(40, 0xe2))),
  ];
  for (const n of appData.c2s) out.push(chunk('c2s', next(), record(23, fill(n + 24, 0xa1))));
  for (const n of appData.s2c) out.push(chunk('s2c', next(), record(23, fill(n + 24, 0xa2))));
  out.push(chunk('c2s', next(), record(21, fill(26, 0xa3))));
  return out;
}

/**
 * A TLS 1.3 connection around the RFC 8448 hellos: the client's compatibility CCS, the server's
 * encrypted flight, the client's encrypted flight, a ticket, and application data of the given
 * plaintext sizes (+17: content type byte and 16-byte tag).
 */
export function tls13Connection(
  appData: { c2s: number[]; s2c: number[] } = { c2s: [100], s2c: [4] },
): TlsStreamChunk[] {
  let t = 1_000;
  const next = () => (t += 1_000);
  const out = [
    chunk('c2s', next(), record(22, RFC8448.clientHello, 0x0301)),
    chunk(
      's2c',
      next(),
      record(22, RFC8448.serverHello),
      record(20, Uint8Array.of(1)),
      record(23, fill(674, 0xb1)),
    ),
    chunk('c2s', next(), record(20, Uint8Array.of(1)), record(23, fill(53, 0xb2))),
    chunk('s2c', next(), record(23, fill(222, 0xb3))),
  ];
  for (const n of appData.c2s) out.push(chunk('c2s', next(), record(23, fill(n + 17, 0xc1))));
  for (const n of appData.s2c) out.push(chunk('s2c', next(), record(23, fill(n + 17, 0xc2))));
  return out;
}

/** RFC 8446 §4.1.3: the HelloRetryRequest random, SHA-256("HelloRetryRequest"), as printed there. */
export const HRR_RANDOM = hex(`
  CF 21 AD 74 E5 9A 61 11 BE 1D 8C 02 1E 65 B8 91
  C2 A2 11 16 7A BB 8C 5E 07 9E 09 E2 C8 A8 33 9C`);

/** A HelloRetryRequest body: TLS_AES_128_GCM_SHA256, supported_versions 1.3, key_share secp256r1. */
export const HELLO_RETRY_REQUEST = cat(
  hex('03 03'),
  HRR_RANDOM,
  hex(`
  00                                        # session id echo, empty
  13 01 00                                  # TLS_AES_128_GCM_SHA256, compression null
  00 0c                                     # extensions, 12 bytes
  00 2b 00 02 03 04                         # supported_versions: TLS 1.3
  00 33 00 02 00 17                         # key_share: selected_group secp256r1`),
);
