export { ALERTS, type AlertName, alertName } from './codes.js';
export {
  CIPHER_SUITE_NAMES,
  CIPHER_SUITES,
  type CipherSuite,
  type CipherSuiteName,
} from './cipher-suites.js';
export {
  type TlsConnectionState,
  type TlsEvent,
  type TlsOutput,
  Tls12ClientConnection,
} from './connection.js';
export type { AlertDirection, TlsFailureDetails } from './failure.js';
export type { HandshakeState, NegotiatedParameters } from './handshake.js';
export { GROUP_NAMES, type GroupName } from './key-share.js';
export type { Tls12ClientOptions } from './options.js';
export { SIGNATURE_SCHEMES, type SignatureScheme } from './signature-schemes.js';
export { connectTls12, createTls12Stream, type Tls12ConnectOptions, Tls12Socket } from './socket.js';
