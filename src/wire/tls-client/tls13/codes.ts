import { createHash } from 'node:crypto';

/** RFC 8446 §4.2.1: the supported_versions value of TLS 1.3. */
export const TLS13 = 0x0304;

/** RFC 8446 §4 HandshakeType values that only TLS 1.3 uses. */
export const HandshakeType13 = Object.freeze({
  newSessionTicket: 4,
  endOfEarlyData: 5,
  encryptedExtensions: 8,
  keyUpdate: 24,
  /** RFC 8446 §4.4.1: the synthetic message that replaces ClientHello1 after a HelloRetryRequest. */
  messageHash: 254,
} as const);

/** RFC 8446 §4.2 ExtensionType values (and RFC 7301, RFC 8449) the 1.3 client meets. */
export const Ext = Object.freeze({
  serverName: 0,
  maxFragmentLength: 1,
  statusRequest: 5,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  alpn: 16,
  signedCertificateTimestamp: 18,
  extendedMasterSecret: 23,
  recordSizeLimit: 28,
  preSharedKey: 41,
  earlyData: 42,
  supportedVersions: 43,
  cookie: 44,
  pskKeyExchangeModes: 45,
  certificateAuthorities: 47,
  oidFilters: 48,
  postHandshakeAuth: 49,
  signatureAlgorithmsCert: 50,
  keyShare: 51,
  renegotiationInfo: 0xff01,
} as const);

/** RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest"). */
export const HELLO_RETRY_REQUEST_RANDOM = new Uint8Array(
  createHash('sha256').update('HelloRetryRequest').digest(),
);

/**
 * RFC 8446 §4.1.3: a TLS 1.3 server that negotiates TLS 1.2 ends its random with 44 4F 57 4E 47
 * 52 44 01 ("DOWNGRD" 01), and TLS 1.1 or below with 44 4F 57 4E 47 52 44 00.
 */
export const DOWNGRADE_TLS12 = Uint8Array.from([...new TextEncoder().encode('DOWNGRD'), 0x01]);
export const DOWNGRADE_TLS11 = Uint8Array.from([...new TextEncoder().encode('DOWNGRD'), 0x00]);

/** RFC 8446 §4.4.3: the 64 spaces and context strings that prefix a CertificateVerify's content. */
export const SERVER_SIGNATURE_CONTEXT = 'TLS 1.3, server CertificateVerify';
export const CLIENT_SIGNATURE_CONTEXT = 'TLS 1.3, client CertificateVerify';
