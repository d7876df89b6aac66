import { TlsParseError, type TlsReader } from './reader.js';
import {
  EXTENSION_NAMES,
  GROUP_NAMES,
  named,
  PSK_MODE_NAMES,
  SIGNATURE_SCHEME_NAMES,
  VERSION_NAMES,
} from './registry.js';
import type { HelloExtensions, TlsExtensionInfo } from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Builder = Mutable<HelloExtensions> & { extensions: TlsExtensionInfo[] };
/** Which message carries the extension block: the encoding of some extensions differs. */
export type HelloKind = 'client_hello' | 'server_hello' | 'hello_retry_request' | 'encrypted_extensions';
type Decoder = (r: TlsReader, out: Builder, kind: HelloKind) => void;

const text = new TextDecoder('utf-8', { fatal: false });

/** One table from extension type to decoder; types without an entry are listed, not decoded. */
const DECODERS: ReadonlyMap<number, Decoder> = new Map<number, Decoder>([
  [0, serverName],
  [1, (r, out) => (out.maxFragmentLength = r.u8('max_fragment_length'))],
  // RFC 8446 §4.2.7: NamedGroup named_group_list<2..2^16-1>.
  [10, (r, out) => (out.supportedGroups = groups(r.u16List(2, 'supported_groups', 2)))],
  // RFC 8422 §5.1.2: ECPointFormat ec_point_format_list<1..2^8-1>.
  [11, (r, out) => (out.ecPointFormats = r.u8List('ec_point_formats', 1))],
  // RFC 8446 §4.2.3: SignatureScheme supported_signature_algorithms<2..2^16-2>.
  [13, (r, out) => (out.signatureAlgorithms = schemes(r.u16List(2, 'signature_algorithms', 2, 0xfffe)))],
  [16, alpn],
  // RFC 8449 §4: uint16 RecordSizeLimit, at least 64.
  [28, recordSizeLimit],
  [43, supportedVersions],
  // RFC 8446 §4.2.9: PskKeyExchangeMode ke_modes<1..255>.
  [
    45,
    (r, out) =>
      (out.pskKeyExchangeModes = r.u8List('psk_key_exchange_modes', 1).map((m) => named(PSK_MODE_NAMES, m))),
  ],
  [51, keyShare],
]);

const groups = (codes: number[]) => codes.map((c) => named(GROUP_NAMES, c));
const schemes = (codes: number[]) => codes.map((c) => named(SIGNATURE_SCHEME_NAMES, c));

/**
 * The extension block of a hello (RFC 8446 §4.2, RFC 5246 §7.4.1.4). An extension whose body
 * does not parse is reported through `note` and skipped; the block's own framing must hold.
 */
export function parseHelloExtensions(
  r: TlsReader,
  kind: HelloKind,
  note: (what: string) => void,
): HelloExtensions {
  const out: Builder = { extensions: [] };
  // RFC 5246 §7.4.1.2: a hello may end without an extension block.
  if (r.remaining === 0) return out;
  const block = r.vector(2, `${kind} extensions`);
  r.done(kind);
  const seen = new Set<number>();
  while (block.remaining > 0) {
    const type = block.u16('extension type');
    const body = block.vector(2, 'extension data');
    const name = named(EXTENSION_NAMES, type).name;
    out.extensions.push({ type, name, length: body.remaining });
    // RFC 8446 §4.2: there MUST NOT be more than one extension of the same type in a block.
    if (seen.has(type)) note(`${kind}: duplicate extension ${name}`);
    seen.add(type);
    const decode = DECODERS.get(type);
    if (!decode) continue;
    try {
      decode(body, out, kind);
      body.done(`${kind} extension ${name}`);
    } catch (err) {
      if (!(err instanceof TlsParseError)) throw err;
      note(`${kind} extension ${name}: ${err.message}`);
    }
  }
  return out;
}

function serverName(r: TlsReader, out: Builder, kind: HelloKind): void {
  // RFC 6066 §3: the server acknowledges with an empty extension_data.
  if (kind !== 'client_hello') return;
  const list = r.vector(2, 'server_name list', 1);
  while (list.remaining > 0) {
    const type = list.u8('server_name type');
    // RFC 6066 §3: only host_name(0) is defined; the list cannot be walked past another type.
    if (type !== 0) throw new TlsParseError(`server_name type ${type} is not host_name`, list.position);
    const host = list.opaque(2, 'HostName', 1);
    out.serverName ??= text.decode(host);
  }
}

function alpn(r: TlsReader, out: Builder): void {
  // RFC 7301 §3.1: ProtocolName protocol_name_list<2..2^16-1>, ProtocolName<1..2^8-1>.
  const list = r.vector(2, 'ALPN protocol_name_list', 2);
  const names: string[] = [];
  while (list.remaining > 0) names.push(text.decode(list.opaque(1, 'ALPN ProtocolName', 1)));
  out.alpn = names;
}

function recordSizeLimit(r: TlsReader, out: Builder): void {
  const limit = r.u16('record_size_limit');
  if (limit < 64) throw new TlsParseError(`record_size_limit ${limit} is below 64`, r.position - 2);
  out.recordSizeLimit = limit;
}

function supportedVersions(r: TlsReader, out: Builder, kind: HelloKind): void {
  // RFC 8446 §4.2.1: a list <2..254> in ClientHello, one selected_version in ServerHello/HRR.
  const codes =
    kind === 'client_hello' ? r.u16List(1, 'supported_versions', 2, 254) : [r.u16('selected_version')];
  out.supportedVersions = codes.map((c) => named(VERSION_NAMES, c));
}

function keyShare(r: TlsReader, out: Builder, kind: HelloKind): void {
  // RFC 8446 §4.2.8: HRR names only the selected_group.
  if (kind === 'hello_retry_request') {
    out.keyShareGroups = groups([r.u16('selected_group')]);
    return;
  }
  const entry = (from: TlsReader) => {
    const group = from.u16('key_share group');
    from.opaque(2, 'key_exchange', 1);
    return group;
  };
  if (kind === 'server_hello') {
    out.keyShareGroups = groups([entry(r)]);
    return;
  }
  const shares = r.vector(2, 'client_shares');
  const codes: number[] = [];
  while (shares.remaining > 0) codes.push(entry(shares));
  out.keyShareGroups = groups(codes);
}
