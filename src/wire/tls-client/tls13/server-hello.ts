import { timingSafeEqual } from 'node:crypto';
import { ByteReader } from '../bytes.js';
import { TLS12 } from '../codes.js';
import { handshakeFailure } from '../failure.js';
import type { ServerHello } from '../messages/server-hello.js';
import { type Tls13CipherSuite, tls13CipherSuiteById } from './cipher-suites.js';
import { Ext, HELLO_RETRY_REQUEST_RANDOM, TLS13 } from './codes.js';

/** What we offered, as the ServerHello is judged against it. */
export interface Offered13 {
  readonly sessionId: Uint8Array;
  readonly suites: readonly number[];
  readonly groups: readonly number[];
  readonly extensions: ReadonlySet<number>;
  /** Groups we sent a key share for. */
  readonly shareGroups: readonly number[];
}

export type ServerHello13 =
  | {
      readonly kind: 'server-hello';
      readonly suite: Tls13CipherSuite;
      readonly group: number;
      readonly keyExchange: Uint8Array;
    }
  | {
      readonly kind: 'hello-retry-request';
      readonly suite: Tls13CipherSuite;
      readonly selectedGroup: number | undefined;
      readonly cookie: Uint8Array | undefined;
    };

/** RFC 8446 §4.1.3: a HelloRetryRequest carries the special random. */
export function isHelloRetryRequest(sh: ServerHello): boolean {
  return timingSafeEqual(sh.random, HELLO_RETRY_REQUEST_RANDOM);
}

/** Does a ServerHello select TLS 1.3 (RFC 8446 §4.2.1: only through supported_versions)? */
export function selectsTls13(sh: ServerHello): boolean {
  return sh.extensions.has(Ext.supportedVersions);
}

// RFC 8446 §4.2 table: what a ServerHello and a HelloRetryRequest may carry (no PSK offered).
const IN_SERVER_HELLO: ReadonlySet<number> = new Set([Ext.supportedVersions, Ext.keyShare]);
const IN_HELLO_RETRY: ReadonlySet<number> = new Set([Ext.supportedVersions, Ext.keyShare, Ext.cookie]);

/** Judge a TLS 1.3 ServerHello or HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4, §4.2). */
export function acceptServerHello13(sh: ServerHello, offered: Offered13): ServerHello13 {
  const hrr = isHelloRetryRequest(sh);
  // RFC 8446 §4.1.3: legacy_version is 0x0303; the version lives in supported_versions.
  if (sh.version !== TLS12)
    throw handshakeFailure('protocol_version', `legacy_version 0x${sh.version.toString(16)}`, {
      version: sh.version,
    });
  const sv = sh.extensions.get(Ext.supportedVersions);
  const r = new ByteReader(sv ?? new Uint8Array(0), 'supported_versions');
  const selected = sv ? r.u16() : undefined;
  if (sv) r.end();
  // RFC 8446 §4.2.1: a selected_version we did not offer, or below TLS 1.3, is illegal_parameter.
  if (selected !== TLS13)
    throw handshakeFailure(
      'illegal_parameter',
      `the server selected version 0x${(selected ?? 0).toString(16)}`,
      {
        version: selected,
      },
    );
  // RFC 8446 §4.1.3: legacy_session_id_echo must be the client's; a mismatch is illegal_parameter.
  if (!equal(sh.sessionId, offered.sessionId))
    throw handshakeFailure('illegal_parameter', 'legacy_session_id_echo differs from ours');
  // RFC 8446 §4.1.3: a cipher suite that was not offered is illegal_parameter.
  const suite = offered.suites.includes(sh.cipherSuite) ? tls13CipherSuiteById(sh.cipherSuite) : undefined;
  if (!suite)
    throw handshakeFailure(
      'illegal_parameter',
      `the server chose cipher suite 0x${sh.cipherSuite.toString(16)}`,
      {
        cipherSuite: sh.cipherSuite,
      },
    );
  // RFC 8446 §4.1.3: legacy_compression_method MUST be 0.
  if (sh.compression !== 0)
    throw handshakeFailure('illegal_parameter', `legacy_compression_method ${sh.compression}`);
  const allowed = hrr ? IN_HELLO_RETRY : IN_SERVER_HELLO;
  for (const type of sh.extensions.keys()) {
    // RFC 8446 §4.2: a response to an extension we did not send is unsupported_extension; one
    // not specified for this message is illegal_parameter.
    if (!offered.extensions.has(type))
      throw handshakeFailure('unsupported_extension', `the server sent extension ${type} we did not offer`, {
        extension: type,
      });
    if (!allowed.has(type))
      throw handshakeFailure('illegal_parameter', `extension ${type} is not allowed in a ServerHello`, {
        extension: type,
      });
  }
  return hrr ? helloRetry(sh, suite, offered) : serverHello(sh, suite, offered);
}

function serverHello(sh: ServerHello, suite: Tls13CipherSuite, offered: Offered13): ServerHello13 {
  const data = sh.extensions.get(Ext.keyShare);
  // RFC 8446 §9.2: a (EC)DHE handshake without key_share is missing_extension.
  if (!data) throw handshakeFailure('missing_extension', 'the ServerHello has no key_share');
  // RFC 8446 §4.2.8: KeyShareServerHello = KeyShareEntry server_share (group, key_exchange<1..2^16-1>).
  const r = new ByteReader(data, 'key_share');
  const group = r.u16();
  const keyExchange = r.vector(2, 1, 0xffff, 'key_exchange').slice();
  r.end();
  // RFC 8446 §4.2.8: the group MUST be one we sent a share for, else illegal_parameter.
  if (!offered.shareGroups.includes(group))
    throw handshakeFailure(
      'illegal_parameter',
      `the server's key share is for group 0x${group.toString(16)}`,
      {
        group,
      },
    );
  return { kind: 'server-hello', suite, group, keyExchange };
}

function helloRetry(sh: ServerHello, suite: Tls13CipherSuite, offered: Offered13): ServerHello13 {
  let selectedGroup: number | undefined;
  const ks = sh.extensions.get(Ext.keyShare);
  if (ks) {
    // RFC 8446 §4.2.8: KeyShareHelloRetryRequest = NamedGroup selected_group.
    const r = new ByteReader(ks, 'key_share');
    selectedGroup = r.u16();
    r.end();
    // RFC 8446 §4.2.8: a group not in supported_groups, or one we already sent a share for, is illegal_parameter.
    if (!offered.groups.includes(selectedGroup) || offered.shareGroups.includes(selectedGroup))
      throw handshakeFailure(
        'illegal_parameter',
        `HelloRetryRequest selects group 0x${selectedGroup.toString(16)}`,
        {
          group: selectedGroup,
        },
      );
  }
  let cookie: Uint8Array | undefined;
  const c = sh.extensions.get(Ext.cookie);
  if (c) {
    // RFC 8446 §4.2.2: opaque cookie<1..2^16-1>.
    const r = new ByteReader(c, 'cookie');
    cookie = r.vector(2, 1, 0xffff, 'cookie').slice();
    r.end();
  }
  // RFC 8446 §4.1.4: a HelloRetryRequest that would not change the ClientHello is illegal_parameter.
  if (selectedGroup === undefined && cookie === undefined)
    throw handshakeFailure('illegal_parameter', 'a HelloRetryRequest that changes nothing');
  return { kind: 'hello-retry-request', suite, selectedGroup, cookie };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
