import { ByteReader, concat, u16, vector } from '../bytes.js';
import { ExtensionType, HandshakeType, TLS12 } from '../codes.js';
import { handshakeMessage } from '../messages/frame.js';
import { Ext, TLS13 } from './codes.js';

export interface KeyShareOffer {
  readonly group: number;
  readonly publicKey: Uint8Array;
}

/** Everything a ClientHello of ours says; the versions decide which parts appear. */
export interface HelloParams {
  readonly random: Uint8Array;
  /** Highest first. */
  readonly versions: readonly ('1.2' | '1.3')[];
  readonly tls13Suites: readonly number[];
  readonly tls12Suites: readonly number[];
  readonly groups: readonly number[];
  readonly signatureSchemes: readonly number[];
  readonly serverName?: string | undefined;
  readonly alpn: readonly string[];
  readonly keyShares: readonly KeyShareOffer[];
  /** RFC 8446 §4.2.2: echoed from a HelloRetryRequest. */
  readonly cookie?: Uint8Array | undefined;
}

const ext = (type: number, body: Uint8Array) => concat(u16(type), vector(2, body));
const list16 = (values: readonly number[]) => vector(2, concat(...values.map(u16)));
const encoder = new TextEncoder();

/**
 * RFC 8446 §4.1.2 ClientHello. With TLS 1.3 offered it adds supported_versions (§4.2.1),
 * key_share (§4.2.8) and, after a HelloRetryRequest, cookie (§4.2.2); the TLS 1.2-only
 * extensions (ec_point_formats, extended_master_secret, renegotiation_info) and suites are
 * sent only while TLS 1.2 is offered too. legacy_session_id is empty: we neither resume nor
 * use middlebox compatibility mode (RFC 8446 §D.4 makes it optional).
 */
export function encodeHello(p: HelloParams): Uint8Array {
  if (p.random.length !== 32) throw new RangeError('ClientHello.random is 32 bytes');
  const with12 = p.versions.includes('1.2');
  const with13 = p.versions.includes('1.3');
  const extensions: Uint8Array[] = [];
  if (p.serverName !== undefined) {
    // RFC 6066 §3: one host_name, no trailing dot.
    const name = encoder.encode(p.serverName.replace(/\.$/, ''));
    extensions.push(ext(Ext.serverName, vector(2, concat(Uint8Array.of(0), vector(2, name)))));
  }
  extensions.push(ext(Ext.supportedGroups, list16(p.groups)));
  if (with12) extensions.push(ext(Ext.ecPointFormats, vector(1, Uint8Array.of(0))));
  extensions.push(ext(Ext.signatureAlgorithms, list16(p.signatureSchemes)));
  // RFC 7301 §3.1: ProtocolNameList of ProtocolName<1..2^8-1>.
  if (p.alpn.length > 0)
    extensions.push(ext(Ext.alpn, vector(2, concat(...p.alpn.map((n) => vector(1, encoder.encode(n)))))));
  if (with12) {
    extensions.push(ext(ExtensionType.extendedMasterSecret, new Uint8Array(0)));
    extensions.push(ext(ExtensionType.renegotiationInfo, vector(1, new Uint8Array(0))));
  }
  if (with13) {
    const versions = p.versions.map((v) => (v === '1.3' ? TLS13 : TLS12));
    extensions.push(ext(Ext.supportedVersions, vector(1, concat(...versions.map(u16)))));
    if (p.cookie) extensions.push(ext(Ext.cookie, vector(2, p.cookie)));
    const shares = p.keyShares.map((k) => concat(u16(k.group), vector(2, k.publicKey)));
    extensions.push(ext(Ext.keyShare, vector(2, concat(...shares))));
  }
  const suites = [...(with13 ? p.tls13Suites : []), ...(with12 ? p.tls12Suites : [])];
  const body = concat(
    u16(TLS12), // RFC 8446 §4.1.2: legacy_version 0x0303
    p.random,
    vector(1, new Uint8Array(0)),
    list16(suites),
    vector(1, Uint8Array.of(0)),
    vector(2, concat(...extensions)),
  );
  return handshakeMessage(HandshakeType.clientHello, body);
}

/** What a ClientHello offered, read back from its bytes (ours, or a test vector's). */
export interface HelloOffer {
  readonly sessionId: Uint8Array;
  readonly suites: readonly number[];
  readonly extensions: ReadonlySet<number>;
  readonly signatureSchemes: readonly number[];
  readonly groups: readonly number[];
  readonly alpn: readonly string[];
}

export function readHello(message: Uint8Array): HelloOffer {
  const r = new ByteReader(message.subarray(4), 'ClientHello');
  r.take(2 + 32);
  const sessionId = r.vector(1, 0, 32, 'legacy_session_id').slice();
  const suiteBytes = r.vector(2, 2, 0xfffe, 'cipher_suites');
  r.vector(1, 1, 0xff, 'compression_methods');
  const ex = new ByteReader(r.vector(2, 0, 0xffff, 'extensions'), 'ClientHello');
  const extensions = new Set<number>();
  let signatureSchemes: number[] = [];
  let groups: number[] = [];
  const alpn: string[] = [];
  while (ex.remaining > 0) {
    const type = ex.u16();
    const data = ex.vector(2, 0, 0xffff, 'extension');
    extensions.add(type);
    if (type === Ext.signatureAlgorithms) signatureSchemes = u16s(data.subarray(2));
    if (type === Ext.supportedGroups) groups = u16s(data.subarray(2));
    if (type === Ext.alpn) {
      const names = new ByteReader(data.subarray(2), 'ALPN');
      while (names.remaining > 0)
        alpn.push(new TextDecoder().decode(names.vector(1, 1, 0xff, 'ProtocolName')));
    }
  }
  return { sessionId, suites: u16s(suiteBytes), extensions, signatureSchemes, groups, alpn };
}

function u16s(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < b.length; i += 2) out.push((b[i]! << 8) | b[i + 1]!);
  return out;
}
