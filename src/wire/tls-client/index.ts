export { ALERTS, type AlertName, alertName } from './codes.js';
export {
  CIPHER_SUITE_NAMES,
  CIPHER_SUITES,
  type CipherSuite,
  type CipherSuiteName,
} from './cipher-suites.js';
export { TlsClientConnection, type TlsNegotiatedParameters } from './client-connection.js';
export {
  type TlsConnectionState,
  type TlsEvent,
  type TlsOutput,
  Tls12ClientConnection,
} from './connection.js';
export type { AlertDirection, TlsFailureDetails } from './failure.js';
export type { HandshakeState, NegotiatedParameters } from './handshake.js';
export { GROUP_NAMES, type GroupName } from './key-share.js';
export type { Tls12ClientOptions, TlsClientOptions, TlsVersion } from './options.js';
export { SIGNATURE_SCHEMES, type SignatureScheme } from './signature-schemes.js';
export {
  connectTls,
  connectTls12,
  createTls12Stream,
  createTlsStream,
  type Tls12ConnectOptions,
  Tls12Socket,
  type TlsConnectOptions,
  TlsSocket,
} from './socket.js';
export {
  TLS13_CIPHER_SUITE_NAMES,
  TLS13_CIPHER_SUITES,
  type Tls13CipherSuite,
  type Tls13CipherSuiteName,
} from './tls13/cipher-suites.js';
export type { Handshake13State, Tls13NegotiatedParameters } from './tls13/handshake.js';
