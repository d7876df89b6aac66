/** TLS 1.2 code points the client speaks (RFC 5246 §6.2.1, §7.2, §7.4; RFC 8446 §4.2 for extension numbers). */

export const TLS12 = 0x0303;
/** RFC 5246 Appendix E.1: the first ClientHello record carries {3,1} so old servers do not choke on it. */
export const CLIENT_HELLO_RECORD_VERSION = 0x0301;

/** RFC 5246 §6.2.1 ContentType. */
export const ContentType = Object.freeze({
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
} as const);

/** RFC 5246 §7.4 HandshakeType (the TLS 1.2 messages a client meets). */
export const HandshakeType = Object.freeze({
  helloRequest: 0,
  clientHello: 1,
  serverHello: 2,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20,
} as const);

/** Extension numbers (IANA TLS ExtensionType registry). */
export const ExtensionType = Object.freeze({
  serverName: 0, // RFC 6066 §3
  supportedGroups: 10, // RFC 8422 §5.1.1
  ecPointFormats: 11, // RFC 8422 §5.1.2
  signatureAlgorithms: 13, // RFC 5246 §7.4.1.4.1
  extendedMasterSecret: 23, // RFC 7627 §5.1
  renegotiationInfo: 0xff01, // RFC 5746 §3.2
} as const);

/** RFC 5246 §7.2 AlertDescription, with the later additions of RFC 7507, RFC 8446 §6. */
export const ALERTS = Object.freeze({
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  decryption_failed: 21,
  record_overflow: 22,
  decompression_failure: 30,
  handshake_failure: 40,
  no_certificate: 41,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  export_restriction: 60,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  no_renegotiation: 100,
  missing_extension: 109,
  unsupported_extension: 110,
  certificate_unobtainable: 111,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  bad_certificate_hash_value: 114,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
} as const);

export type AlertName = keyof typeof ALERTS;

const ALERT_NAMES = new Map<number, AlertName>(
  Object.entries(ALERTS).map(([name, n]) => [n, name as AlertName]),
);

/** The registry name of an alert number, or `alert_<n>` for one the registry does not list. */
export function alertName(description: number): string {
  return ALERT_NAMES.get(description) ?? `alert_${description}`;
}

/** RFC 5246 §7.2 AlertLevel. */
export const AlertLevel = Object.freeze({ warning: 1, fatal: 2 } as const);

/** RFC 5246 §6.2.1: TLSPlaintext.length MUST NOT exceed 2^14. */
export const MAX_PLAINTEXT = 16_384;
/** RFC 5246 §6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048. */
export const MAX_CIPHERTEXT = MAX_PLAINTEXT + 2048;
/** Our bound on one handshake message (a certificate chain fits with room to spare). */
export const MAX_HANDSHAKE_MESSAGE = 65_536;
/** Our bound on the certificates a server may send. */
export const MAX_CHAIN_LENGTH = 16;
/** RFC 5246 §7.4.9: verify_data_length is 12 for every cipher suite this client offers. */
export const VERIFY_DATA_LENGTH = 12;
