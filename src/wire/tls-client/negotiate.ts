import { ByteReader } from './bytes.js';
import { type CipherSuite, cipherSuiteById } from './cipher-suites.js';
import { ExtensionType, TLS12 } from './codes.js';
import { handshakeFailure, protocolFailure } from './failure.js';
import type { ServerHello } from './messages/server-hello.js';
import { DOWNGRADE_TLS11, DOWNGRADE_TLS12 } from './tls13/codes.js';

export interface Negotiated {
  readonly suite: CipherSuite;
  readonly extendedMasterSecret: boolean;
  readonly alpnProtocol?: string | undefined;
}

/** Extensions we send; ServerHello may echo only these, and signature_algorithms never. */
const ANSWERABLE: ReadonlySet<number> = new Set([
  ExtensionType.serverName,
  ExtensionType.supportedGroups,
  ExtensionType.ecPointFormats,
  ExtensionType.extendedMasterSecret,
  ExtensionType.renegotiationInfo,
]);

export interface Offered12 {
  readonly suites: readonly number[];
  readonly requireExtendedMasterSecret: boolean;
  /** TLS 1.3 was offered too: check the downgrade sentinel (RFC 8446 §4.1.3). */
  readonly offered13?: boolean;
  /** ALPN names offered (RFC 7301); the server may then answer with one of them. */
  readonly alpn?: readonly string[];
}

/** Judge what the server chose against what we offered. */
export function acceptServerHello(sh: ServerHello, offered: Offered12): Negotiated {
  // RFC 8446 §4.1.3: "TLS 1.3 clients receiving a ServerHello indicating TLS 1.2 or below MUST
  // check that the last 8 bytes are not equal to either of these values ... If a match is
  // found, the client MUST abort the handshake with an "illegal_parameter" alert."
  if (offered.offered13) {
    const tail = Buffer.from(sh.random.subarray(24));
    if (tail.equals(DOWNGRADE_TLS12) || tail.equals(DOWNGRADE_TLS11))
      throw handshakeFailure(
        'illegal_parameter',
        'the ServerHello random carries the TLS 1.3 downgrade sentinel',
      );
  }
  // RFC 5246 Appendix E.1: a version the client does not support gets protocol_version. We are
  // 1.2 only, so 1.0/1.1 (a downgrade) and anything above what we offered are both refused.
  if (sh.version !== TLS12)
    throw handshakeFailure(
      'protocol_version',
      `the server chose version 0x${sh.version.toString(16)}, not TLS 1.2`,
      {
        version: sh.version,
      },
    );
  // RFC 5246 §7.4.1.3: "the single cipher suite selected by the server from the list in ClientHello".
  const suite = offered.suites.includes(sh.cipherSuite) ? cipherSuiteById(sh.cipherSuite) : undefined;
  if (!suite)
    throw handshakeFailure(
      'illegal_parameter',
      `the server chose cipher suite 0x${sh.cipherSuite.toString(16)} we did not offer`,
      {
        cipherSuite: sh.cipherSuite,
      },
    );
  // RFC 5246 §7.4.1.3: compression chosen from ours, and we offered null (0) only.
  if (sh.compression !== 0)
    throw handshakeFailure('illegal_parameter', `the server chose compression ${sh.compression}`, {
      compression: sh.compression,
    });
  const alpn = offered.alpn ?? [];
  let alpnProtocol: string | undefined;
  for (const [type, data] of sh.extensions) {
    if (type === ALPN && alpn.length > 0) alpnProtocol = checkAlpn(data, alpn);
    else checkExtension(type, data);
  }
  const extendedMasterSecret = sh.extensions.has(ExtensionType.extendedMasterSecret);
  // RFC 7627 §5.3: a client that requires EMS aborts a handshake without it.
  if (!extendedMasterSecret && offered.requireExtendedMasterSecret)
    throw handshakeFailure('handshake_failure', 'the server does not support the extended master secret');
  return { suite, extendedMasterSecret, alpnProtocol };
}

const ALPN = 16;

/** RFC 7301 §3.1: the ServerHello's ALPN names exactly one protocol, one we offered. */
function checkAlpn(data: Uint8Array, offered: readonly string[]): string {
  const r = new ByteReader(data, 'application_layer_protocol_negotiation');
  const list = new ByteReader(r.vector(2, 2, 0xffff, 'protocol_name_list'), 'ALPN');
  r.end();
  const name = new TextDecoder().decode(list.vector(1, 1, 0xff, 'ProtocolName'));
  list.end();
  if (!offered.includes(name))
    throw handshakeFailure('illegal_parameter', 'the server selected an ALPN protocol we did not offer');
  return name;
}

function checkExtension(type: number, data: Uint8Array): void {
  // RFC 5246 §7.4.1.4: an extension we did not offer is answered with unsupported_extension;
  // §7.4.1.4.1: "Servers MUST NOT send" signature_algorithms.
  if (!ANSWERABLE.has(type))
    throw handshakeFailure('unsupported_extension', `the server sent extension ${type} we did not offer`, {
      extension: type,
    });
  switch (type) {
    case ExtensionType.serverName:
    case ExtensionType.extendedMasterSecret:
      // RFC 6066 §3 and RFC 7627 §5.1: the server's answer has empty extension_data.
      if (data.length !== 0)
        throw protocolFailure('decode_error', `extension ${type} must be empty`, { extension: type });
      return;
    case ExtensionType.ecPointFormats: {
      const r = new ByteReader(data, 'ec_point_formats');
      const formats = r.vector(1, 1, 0xff, 'ec_point_format_list');
      r.end();
      // RFC 8422 §5.2: if present, the list MUST contain uncompressed (0).
      if (!formats.includes(0))
        throw handshakeFailure('illegal_parameter', 'the server does not accept uncompressed points');
      return;
    }
    case ExtensionType.renegotiationInfo:
      // RFC 5746 §3.4: on an initial handshake renegotiated_connection MUST be empty.
      if (data.length !== 1 || data[0] !== 0)
        throw handshakeFailure(
          'handshake_failure',
          'renegotiation_info is not empty on an initial handshake',
        );
      return;
    default:
      // supported_groups: a 1.2 server has no reason to send it (RFC 8422 §5.2); harmless, ignored.
      return;
  }
}
