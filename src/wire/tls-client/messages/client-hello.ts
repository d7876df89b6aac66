import { concat, u16, vector } from '../bytes.js';
import { ExtensionType, HandshakeType, TLS12 } from '../codes.js';
import { handshakeMessage } from './frame.js';

export interface ClientHelloParams {
  readonly random: Uint8Array;
  readonly cipherSuites: readonly number[];
  readonly groups: readonly number[];
  readonly signatureSchemes: readonly number[];
  /** A DNS name for server_name; undefined (e.g. an IP literal) sends no SNI. */
  readonly serverName?: string;
}

function extension(type: number, body: Uint8Array): Uint8Array {
  return concat(u16(type), vector(2, body));
}

const list16 = (values: readonly number[]) => vector(2, concat(...values.map(u16)));

/** The extensions we send, in order; ServerHello may only answer these (RFC 5246 §7.4.1.4). */
export function clientHelloExtensions(p: ClientHelloParams): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (p.serverName !== undefined) {
    // RFC 6066 §3: ServerNameList of one host_name (type 0); no trailing dot, no IP literal.
    const name = new TextEncoder().encode(p.serverName.replace(/\.$/, ''));
    out.push(extension(ExtensionType.serverName, vector(2, concat(Uint8Array.of(0), vector(2, name)))));
  }
  out.push(
    extension(ExtensionType.supportedGroups, list16(p.groups)), // RFC 8422 §5.1.1
    extension(ExtensionType.ecPointFormats, vector(1, Uint8Array.of(0))), // RFC 8422 §5.1.2: uncompressed
    extension(ExtensionType.signatureAlgorithms, list16(p.signatureSchemes)), // RFC 5246 §7.4.1.4.1
    extension(ExtensionType.extendedMasterSecret, new Uint8Array(0)), // RFC 7627 §5.1: empty
    // RFC 5746 §3.4: an initial handshake carries an empty renegotiated_connection.
    extension(ExtensionType.renegotiationInfo, vector(1, new Uint8Array(0))),
  );
  return out;
}

/**
 * RFC 5246 §7.4.1.2 ClientHello: version 1.2, 32 random bytes, an empty session_id (no
 * resumption), our suites, null compression only, and the extensions above. No
 * supported_versions: this client is TLS 1.2 only.
 */
export function encodeClientHello(p: ClientHelloParams): Uint8Array {
  if (p.random.length !== 32) throw new RangeError('ClientHello.random is 32 bytes');
  const body = concat(
    u16(TLS12),
    p.random,
    vector(1, new Uint8Array(0)),
    list16(p.cipherSuites),
    vector(1, Uint8Array.of(0)),
    vector(2, concat(...clientHelloExtensions(p))),
  );
  return handshakeMessage(HandshakeType.clientHello, body);
}
