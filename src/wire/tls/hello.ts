import { createHash } from 'node:crypto';
import { CIPHER_SUITE_NAMES } from './cipher-suites.js';
import { parseHelloExtensions } from './extensions.js';
import { TlsReader } from './reader.js';
import { named, VERSION_NAMES } from './registry.js';
import type { ClientHello, ServerHello } from './types.js';

// RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest").
const HRR_RANDOM = createHash('sha256').update('HelloRetryRequest').digest('hex');
// RFC 8446 §4.1.3: a TLS 1.3 server negotiating 1.2 (or below) ends its random with "DOWNGRD" + 01 (00).
const DOWNGRADE_PREFIX = Buffer.from('DOWNGRD').toString('hex');

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** RFC 8446 §4.1.2 / RFC 5246 §7.4.1.2 ClientHello. */
export function parseClientHello(body: Uint8Array, note: (what: string) => void): ClientHello {
  const r = new TlsReader(body);
  const legacyVersion = named(VERSION_NAMES, r.u16('legacy_version'));
  const random = hex(r.raw(32, 'random'));
  // RFC 8446 §4.1.2: opaque legacy_session_id<0..32>.
  const sessionIdLength = r.opaque(1, 'legacy_session_id', 0, 32).length;
  // RFC 8446 §4.1.2: CipherSuite cipher_suites<2..2^16-2>.
  const cipherSuites = r.u16List(2, 'cipher_suites', 2, 0xfffe).map((c) => named(CIPHER_SUITE_NAMES, c));
  // RFC 8446 §4.1.2: opaque legacy_compression_methods<1..2^8-1>.
  const compressionMethods = r.u8List('compression_methods', 1);
  const ext = parseHelloExtensions(r, 'client_hello', note);
  return { legacyVersion, random, sessionIdLength, cipherSuites, compressionMethods, ...ext };
}

/** RFC 8446 §4.1.3 / RFC 5246 §7.4.1.3 ServerHello, HelloRetryRequest included. */
export function parseServerHello(body: Uint8Array, note: (what: string) => void): ServerHello {
  const r = new TlsReader(body);
  const legacyVersion = named(VERSION_NAMES, r.u16('legacy_version'));
  const random = hex(r.raw(32, 'random'));
  const helloRetryRequest = random === HRR_RANDOM;
  const sessionIdLength = r.opaque(1, 'legacy_session_id_echo', 0, 32).length;
  const cipherSuite = named(CIPHER_SUITE_NAMES, r.u16('cipher_suite'));
  const compressionMethod = r.u8('compression_method');
  const ext = parseHelloExtensions(r, helloRetryRequest ? 'hello_retry_request' : 'server_hello', note);
  const selected = ext.supportedVersions?.[0];
  // RFC 8446 §4.2.1: a server that sends supported_versions MUST NOT select below TLS 1.3.
  if (selected && selected.code < 0x0304) {
    note(`server_hello: supported_versions selects ${selected.name}, below TLS 1.3`);
  }
  // RFC 8446 §4.1.4: a HelloRetryRequest MUST contain supported_versions.
  if (helloRetryRequest && !selected) note('hello_retry_request: no supported_versions extension');
  const tail = random.slice(48);
  const downgradeSentinel =
    tail === `${DOWNGRADE_PREFIX}01` ? '1.2' : tail === `${DOWNGRADE_PREFIX}00` ? '1.1' : undefined;
  return {
    legacyVersion,
    random,
    sessionIdLength,
    cipherSuite,
    compressionMethod,
    version: selected ?? legacyVersion,
    helloRetryRequest,
    ...(downgradeSentinel ? { downgradeSentinel } : {}),
    ...ext,
  };
}
