/** Names of TLS code points (IANA TLS registries; RFC 5246, RFC 8446, RFC 8422 and the RFCs cited). */

/** A code point with its name: `unknown(0x1234)` or `GREASE` when the registry has none. */
export interface NamedCode {
  readonly code: number;
  readonly name: string;
}

const hex4 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

/** RFC 8701 §2: GREASE values are 0x?A?A with both bytes equal. */
export function isGrease(code: number): boolean {
  return (code & 0x0f0f) === 0x0a0a && code >> 8 === (code & 0xff);
}

export function named(table: ReadonlyMap<number, string>, code: number, grease = true): NamedCode {
  const name = table.get(code) ?? (grease && isGrease(code) ? 'GREASE' : `unknown(${hex4(code)})`);
  return { code, name };
}

export const VERSION_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0300, 'SSL 3.0'],
  [0x0301, 'TLS 1.0'],
  [0x0302, 'TLS 1.1'],
  [0x0303, 'TLS 1.2'],
  [0x0304, 'TLS 1.3'],
]);

export type TlsVersion = 'ssl3' | '1.0' | '1.1' | '1.2' | '1.3';

export function versionOf(code: number): TlsVersion | undefined {
  return ({ 0x0300: 'ssl3', 0x0301: '1.0', 0x0302: '1.1', 0x0303: '1.2', 0x0304: '1.3' } as const)[
    code as 0x0300
  ];
}

export type ContentTypeName =
  'change_cipher_spec' | 'alert' | 'handshake' | 'application_data' | 'heartbeat' | 'unknown';

/** RFC 5246 §6.2.1 ContentType, RFC 6520 §2 heartbeat. */
export const CONTENT_TYPE_NAMES: ReadonlyMap<number, ContentTypeName> = new Map<number, ContentTypeName>([
  [20, 'change_cipher_spec'],
  [21, 'alert'],
  [22, 'handshake'],
  [23, 'application_data'],
  [24, 'heartbeat'],
]);

/** RFC 8446 §4 HandshakeType, with the TLS 1.2 messages of RFC 5246 §7.4 and RFC 6066 §8. */
export const HANDSHAKE_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'hello_request'],
  [1, 'client_hello'],
  [2, 'server_hello'],
  [3, 'hello_verify_request'],
  [4, 'new_session_ticket'],
  [5, 'end_of_early_data'],
  [8, 'encrypted_extensions'],
  [11, 'certificate'],
  [12, 'server_key_exchange'],
  [13, 'certificate_request'],
  [14, 'server_hello_done'],
  [15, 'certificate_verify'],
  [16, 'client_key_exchange'],
  [20, 'finished'],
  [21, 'certificate_url'],
  [22, 'certificate_status'],
  [24, 'key_update'],
  [25, 'compressed_certificate'],
  [254, 'message_hash'],
]);

export const EXTENSION_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'server_name'],
  [1, 'max_fragment_length'],
  [2, 'client_certificate_url'],
  [3, 'trusted_ca_keys'],
  [4, 'truncated_hmac'],
  [5, 'status_request'],
  [10, 'supported_groups'],
  [11, 'ec_point_formats'],
  [13, 'signature_algorithms'],
  [14, 'use_srtp'],
  [15, 'heartbeat'],
  [16, 'application_layer_protocol_negotiation'],
  [17, 'status_request_v2'],
  [18, 'signed_certificate_timestamp'],
  [19, 'client_certificate_type'],
  [20, 'server_certificate_type'],
  [21, 'padding'],
  [22, 'encrypt_then_mac'],
  [23, 'extended_master_secret'],
  [27, 'compress_certificate'],
  [28, 'record_size_limit'],
  [35, 'session_ticket'],
  [41, 'pre_shared_key'],
  [42, 'early_data'],
  [43, 'supported_versions'],
  [44, 'cookie'],
  [45, 'psk_key_exchange_modes'],
  [47, 'certificate_authorities'],
  [48, 'oid_filters'],
  [49, 'post_handshake_auth'],
  [50, 'signature_algorithms_cert'],
  [51, 'key_share'],
  [57, 'quic_transport_parameters'],
  [17513, 'application_settings'],
  [65037, 'encrypted_client_hello'],
  [65281, 'renegotiation_info'],
]);

/** RFC 8446 §4.2.7 NamedGroup, RFC 7919 FFDHE groups, RFC 8422 §5.1.1 curves. */
export const GROUP_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0017, 'secp256r1'],
  [0x0018, 'secp384r1'],
  [0x0019, 'secp521r1'],
  [0x001a, 'brainpoolP256r1'],
  [0x001b, 'brainpoolP384r1'],
  [0x001c, 'brainpoolP512r1'],
  [0x001d, 'x25519'],
  [0x001e, 'x448'],
  [0x0100, 'ffdhe2048'],
  [0x0101, 'ffdhe3072'],
  [0x0102, 'ffdhe4096'],
  [0x0103, 'ffdhe6144'],
  [0x0104, 'ffdhe8192'],
  [0x11ec, 'X25519MLKEM768'],
  [0x6399, 'X25519Kyber768Draft00'],
]);

/** RFC 8446 §4.2.3 SignatureScheme (TLS 1.2 hash/signature pairs share the encoding). */
export const SIGNATURE_SCHEME_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0201, 'rsa_pkcs1_sha1'],
  [0x0202, 'dsa_sha1'],
  [0x0203, 'ecdsa_sha1'],
  [0x0301, 'rsa_pkcs1_sha224'],
  [0x0302, 'dsa_sha224'],
  [0x0303, 'ecdsa_sha224'],
  [0x0401, 'rsa_pkcs1_sha256'],
  [0x0402, 'dsa_sha256'],
  [0x0403, 'ecdsa_secp256r1_sha256'],
  [0x0501, 'rsa_pkcs1_sha384'],
  [0x0502, 'dsa_sha384'],
  [0x0503, 'ecdsa_secp384r1_sha384'],
  [0x0601, 'rsa_pkcs1_sha512'],
  [0x0602, 'dsa_sha512'],
  [0x0603, 'ecdsa_secp521r1_sha512'],
  [0x0804, 'rsa_pss_rsae_sha256'],
  [0x0805, 'rsa_pss_rsae_sha384'],
  [0x0806, 'rsa_pss_rsae_sha512'],
  [0x0807, 'ed25519'],
  [0x0808, 'ed448'],
  [0x0809, 'rsa_pss_pss_sha256'],
  [0x080a, 'rsa_pss_pss_sha384'],
  [0x080b, 'rsa_pss_pss_sha512'],
  [0x081a, 'ecdsa_brainpoolP256r1tls13_sha256'],
  [0x081b, 'ecdsa_brainpoolP384r1tls13_sha384'],
  [0x081c, 'ecdsa_brainpoolP512r1tls13_sha512'],
]);

/** RFC 8446 §4.2.9 PskKeyExchangeMode. */
export const PSK_MODE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'psk_ke'],
  [1, 'psk_dhe_ke'],
]);

/** RFC 5246 §7.4.4 ClientCertificateType, RFC 8422 §5.5. */
export const CERTIFICATE_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'rsa_sign'],
  [2, 'dss_sign'],
  [3, 'rsa_fixed_dh'],
  [4, 'dss_fixed_dh'],
  [64, 'ecdsa_sign'],
  [65, 'rsa_fixed_ecdh'],
  [66, 'ecdsa_fixed_ecdh'],
]);

/** RFC 8446 §6 AlertLevel. */
export const ALERT_LEVEL_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'warning'],
  [2, 'fatal'],
]);

/** RFC 8446 §6 AlertDescription, with the TLS 1.2 values of RFC 5246 §7.2 and RFC 6066 §9. */
export const ALERT_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'close_notify'],
  [10, 'unexpected_message'],
  [20, 'bad_record_mac'],
  [21, 'decryption_failed'],
  [22, 'record_overflow'],
  [30, 'decompression_failure'],
  [40, 'handshake_failure'],
  [41, 'no_certificate'],
  [42, 'bad_certificate'],
  [43, 'unsupported_certificate'],
  [44, 'certificate_revoked'],
  [45, 'certificate_expired'],
  [46, 'certificate_unknown'],
  [47, 'illegal_parameter'],
  [48, 'unknown_ca'],
  [49, 'access_denied'],
  [50, 'decode_error'],
  [51, 'decrypt_error'],
  [60, 'export_restriction'],
  [70, 'protocol_version'],
  [71, 'insufficient_security'],
  [80, 'internal_error'],
  [86, 'inappropriate_fallback'],
  [90, 'user_canceled'],
  [100, 'no_renegotiation'],
  [109, 'missing_extension'],
  [110, 'unsupported_extension'],
  [111, 'certificate_unobtainable'],
  [112, 'unrecognized_name'],
  [113, 'bad_certificate_status_response'],
  [114, 'bad_certificate_hash_value'],
  [115, 'unknown_psk_identity'],
  [116, 'certificate_required'],
  [120, 'no_application_protocol'],
]);
