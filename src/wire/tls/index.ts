// A passive TLS observer: records, plaintext handshake, alerts and a summary of one connection.
export { dissectTls, TlsDissector, type TlsDissectorOptions } from './dissector.js';
export { type Sniff, sniffTls } from './detect.js';
export { TlsRecordTable } from './record-table.js';
export type {
  CertificateRequest,
  ClientHello,
  HandshakeStatus,
  HelloExtensions,
  RecordSample,
  ServerHello,
  ServerKeyExchange,
  TlsAlert,
  TlsCertificateInfo,
  TlsDirection,
  TlsDissection,
  TlsExtensionInfo,
  TlsHandshakeBody,
  TlsHandshakeMessage,
  TlsMalformed,
  TlsRecord,
  TlsStreamChunk,
  TlsSummary,
} from './types.js';
// Code-point names, for callers that print what the dissector returns.
export { aeadOverhead, CIPHER_SUITE_NAMES, keyExchangeOf } from './cipher-suites.js';
export {
  ALERT_NAMES,
  EXTENSION_NAMES,
  GROUP_NAMES,
  type NamedCode,
  SIGNATURE_SCHEME_NAMES,
  type TlsVersion,
  VERSION_NAMES,
} from './registry.js';
// Limits.
export { DEFAULT_MAX_HANDSHAKE_MESSAGE } from './assembler.js';
export { MAX_PLAINTEXT_LENGTH, MAX_RECORD_LENGTH } from './record.js';
