import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import type { ServerHello } from './messages/server-hello.js';
import { acceptServerHello } from './negotiate.js';

const offered = { suites: [0xc02b, 0xc02f], requireExtendedMasterSecret: false };
const hello = (over: Partial<ServerHello> = {}, ext: [number, number[]][] = []): ServerHello => ({
  version: 0x0303,
  random: new Uint8Array(32),
  sessionId: new Uint8Array(0),
  cipherSuite: 0xc02f,
  compression: 0,
  extensions: new Map(ext.map(([t, d]) => [t, Uint8Array.from(d)])),
  ...over,
});
const refused = (code: string, alert: string) => (e: unknown) =>
  isLabError(e) && e.code === code && e.details.alert === alert;

test('what the server chose is what we offered', () => {
  const n = acceptServerHello(
    hello({}, [
      [23, []],
      [0xff01, [0]],
      [11, [1, 0]],
    ]),
    offered,
  );
  assert.equal(n.suite.name, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
  assert.equal(n.extendedMasterSecret, true);
  assert.equal(acceptServerHello(hello(), offered).extendedMasterSecret, false);
});

test('RFC 5246 Appendix E.1: any version but TLS 1.2 is protocol_version (downgrade to 1.1/1.0 refused)', () => {
  for (const version of [0x0300, 0x0301, 0x0302, 0x0304])
    assert.throws(
      () => acceptServerHello(hello({ version }), offered),
      refused('ERR_TLS_HANDSHAKE', 'protocol_version'),
    );
});

test('RFC 5246 §7.4.1.3: a suite or compression we did not offer is illegal_parameter', () => {
  assert.throws(
    () => acceptServerHello(hello({ cipherSuite: 0xc030 }), offered),
    refused('ERR_TLS_HANDSHAKE', 'illegal_parameter'),
  );
  assert.throws(
    () => acceptServerHello(hello({ cipherSuite: 0x009c }), offered),
    refused('ERR_TLS_HANDSHAKE', 'illegal_parameter'),
  );
  assert.throws(
    () => acceptServerHello(hello({ compression: 1 }), offered),
    refused('ERR_TLS_HANDSHAKE', 'illegal_parameter'),
  );
});

test('RFC 5246 §7.4.1.4: unsolicited extensions, and signature_algorithms from a server, are unsupported_extension', () => {
  for (const type of [13, 16, 35, 43, 0x3374])
    assert.throws(
      () => acceptServerHello(hello({}, [[type, []]]), offered),
      refused('ERR_TLS_HANDSHAKE', 'unsupported_extension'),
    );
});

test('extension bodies: EMS and SNI empty, point formats with uncompressed, renegotiation_info empty', () => {
  assert.throws(
    () => acceptServerHello(hello({}, [[23, [0]]]), offered),
    refused('ERR_TLS_PROTOCOL', 'decode_error'),
  );
  assert.throws(
    () => acceptServerHello(hello({}, [[0, [0, 0]]]), offered),
    refused('ERR_TLS_PROTOCOL', 'decode_error'),
  );
  assert.throws(
    () => acceptServerHello(hello({}, [[11, [1, 1]]]), offered),
    refused('ERR_TLS_HANDSHAKE', 'illegal_parameter'),
  );
  assert.throws(
    () => acceptServerHello(hello({}, [[11, [2, 0]]]), offered),
    refused('ERR_TLS_PROTOCOL', 'decode_error'),
  );
  // RFC 5746 §3.4: a non-empty renegotiated_connection on an initial handshake aborts it.
  assert.throws(
    () => acceptServerHello(hello({}, [[0xff01, [1, 9]]]), offered),
    refused('ERR_TLS_HANDSHAKE', 'handshake_failure'),
  );
});

test('RFC 7627 §5.3: requireExtendedMasterSecret refuses a server without EMS', () => {
  assert.throws(
    () => acceptServerHello(hello(), { ...offered, requireExtendedMasterSecret: true }),
    refused('ERR_TLS_HANDSHAKE', 'handshake_failure'),
  );
});
