import { parseCertificateMessage } from './certificate.js';
import { parseCertificateRequest, parseCertificateRequest13 } from './certificate-request.js';
import type { KeyExchangeKind } from './cipher-suites.js';
import { parseHelloExtensions } from './extensions.js';
import { parseClientHello, parseServerHello } from './hello.js';
import { parseCertificateVerify, parseClientKeyExchange, parseServerKeyExchange } from './key-exchange.js';
import { TlsReader } from './reader.js';
import { HANDSHAKE_TYPE_NAMES } from './registry.js';
import type { CertificateRequest, TlsHandshakeBody } from './types.js';

/** What a message's layout depends on: the negotiated version and the suite's key exchange. */
export interface HandshakeContext {
  readonly version?: number;
  readonly keyExchange?: KeyExchangeKind;
}

type Parser = (body: Uint8Array, ctx: HandshakeContext, note: (what: string) => void) => TlsHandshakeBody;

const TLS12 = 0x0303;
const TLS13 = 0x0304;
const tls12 = (ctx: HandshakeContext) => (ctx.version ?? TLS12) === TLS12;

function empty(type: 'hello_request' | 'server_hello_done'): Parser {
  return (body) => {
    // RFC 5246 §7.4.1.1 HelloRequest, §7.4.5 ServerHelloDone: struct { } — no body.
    new TlsReader(body).done(type);
    return { type };
  };
}

/** The one dispatch table: handshake type → parser. The default branch flags unknown types. */
const PARSERS: ReadonlyMap<number, Parser> = new Map<number, Parser>([
  [0, empty('hello_request')],
  [1, (body, _ctx, note) => ({ type: 'client_hello', ...parseClientHello(body, note) })],
  [2, (body, _ctx, note) => ({ type: 'server_hello', ...parseServerHello(body, note) })],
  [4, newSessionTicket],
  // RFC 8446 §4.3.1: struct { Extension extensions<0..2^16-1>; } EncryptedExtensions.
  [
    8,
    (body, _ctx, note) => ({
      type: 'encrypted_extensions',
      ...parseHelloExtensions(new TlsReader(body), 'encrypted_extensions', note),
    }),
  ],
  [
    11,
    (body, ctx) => ({
      type: 'certificate',
      certificates: parseCertificateMessage(body, ctx.version === TLS13),
    }),
  ],
  [
    12,
    (body, ctx) => ({
      type: 'server_key_exchange',
      ...parseServerKeyExchange(body, ctx.keyExchange, tls12(ctx)),
    }),
  ],
  [
    13,
    (body, ctx, note) => ({
      type: 'certificate_request',
      ...(ctx.version === TLS13
        ? parseCertificateRequest13(body, note)
        : knownCertificateRequest(body, tls12(ctx))),
    }),
  ],
  [14, empty('server_hello_done')],
  // RFC 8446 §4.4.3: TLS 1.3's CertificateVerify has TLS 1.2's layout (scheme, then signature).
  [
    15,
    (body, ctx) => ({
      type: 'certificate_verify',
      ...parseCertificateVerify(body, ctx.version === TLS13 || tls12(ctx)),
    }),
  ],
  [16, (body, ctx) => ({ type: 'client_key_exchange', ...parseClientKeyExchange(body, ctx.keyExchange) })],
  // RFC 5246 §7.4.9: opaque verify_data[verify_data_length], the whole body.
  [20, (body) => ({ type: 'finished', verifyDataLength: body.length })],
]);

/** Decode one reassembled handshake message; throws TlsParseError on a length violation. */
export function parseHandshakeBody(
  msgType: number,
  body: Uint8Array,
  ctx: HandshakeContext,
  note: (what: string) => void,
): TlsHandshakeBody {
  const parse = PARSERS.get(msgType);
  if (parse) return parse(body, ctx, note);
  const name = HANDSHAKE_TYPE_NAMES.get(msgType);
  // RFC 8446 §4: an unknown HandshakeType is an unexpected_message.
  if (name === undefined) note(`unknown handshake type ${msgType}`);
  return { type: 'other', name: name ?? `unknown(${msgType})` };
}

// A broker sends the same CertificateRequest to every client, and each CA name in it costs an
// ASN.1 parse: results are kept by body. Bounded; frozen, since connections share them.
const CERTIFICATE_REQUESTS_MAX = 64;
const certificateRequests = new Map<string, CertificateRequest>();

/** parseCertificateRequest (TLS ≤ 1.2), once per distinct body; it throws before anything is kept. */
function knownCertificateRequest(body: Uint8Array, tls12: boolean): CertificateRequest {
  const key = `${tls12 ? 2 : 1}${Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1')}`;
  const known = certificateRequests.get(key);
  if (known) return known;
  const parsed = parseCertificateRequest(body, tls12);
  Object.freeze(parsed.certificateTypes);
  if (parsed.signatureAlgorithms) Object.freeze(parsed.signatureAlgorithms);
  Object.freeze(parsed.certificateAuthorities);
  if (certificateRequests.size >= CERTIFICATE_REQUESTS_MAX)
    certificateRequests.delete(certificateRequests.keys().next().value!);
  certificateRequests.set(key, Object.freeze(parsed));
  return parsed;
}

function newSessionTicket(body: Uint8Array, ctx: HandshakeContext): TlsHandshakeBody {
  // TLS 1.3 tickets (RFC 8446 §4.6.1) are always encrypted; this is RFC 5077 §3.3's.
  if (ctx.version === TLS13) return { type: 'other', name: 'new_session_ticket' };
  const r = new TlsReader(body);
  const lifetimeHintSeconds = r.u32('ticket_lifetime_hint');
  const ticketLength = r.opaque(2, 'ticket').length;
  r.done('NewSessionTicket');
  return { type: 'new_session_ticket', lifetimeHintSeconds, ticketLength };
}
