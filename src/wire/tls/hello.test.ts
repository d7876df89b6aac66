import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  cat,
  CLIENT_HELLO_12,
  HELLO_RETRY_REQUEST,
  hex,
  HRR_RANDOM,
  RFC8448,
  SERVER_HELLO_12,
  toHex,
} from './golden.case.js';
import { parseClientHello, parseServerHello } from './hello.js';
import { TlsParseError } from './reader.js';

const names = (list: readonly { name: string }[] | undefined) => list?.map((x) => x.name);
const collect = () => {
  const notes: string[] = [];
  return { notes, note: (w: string) => notes.push(w) };
};

test('the RFC 8448 §3 vectors are intact: their transcript hash is the trace’s', () => {
  const hash = createHash('sha256').update(RFC8448.clientHello).update(RFC8448.serverHello).digest('hex');
  assert.equal(hash, RFC8448.helloTranscriptSha256);
});

test('RFC 8448 §3 ClientHello', () => {
  const { notes, note } = collect();
  const ch = parseClientHello(RFC8448.clientHello.subarray(4), note);
  assert.deepEqual(notes, []);
  assert.equal(ch.legacyVersion.name, 'TLS 1.2');
  assert.equal(ch.random, 'cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7');
  assert.equal(ch.sessionIdLength, 0);
  assert.deepEqual(names(ch.cipherSuites), [
    'TLS_AES_128_GCM_SHA256',
    'TLS_CHACHA20_POLY1305_SHA256',
    'TLS_AES_256_GCM_SHA384',
  ]);
  assert.deepEqual(ch.compressionMethods, [0]);
  assert.equal(ch.serverName, 'server');
  assert.deepEqual(names(ch.supportedVersions), ['TLS 1.3']);
  assert.deepEqual(names(ch.keyShareGroups), ['x25519']);
  assert.deepEqual(names(ch.supportedGroups)?.slice(0, 5), [
    'x25519',
    'secp256r1',
    'secp384r1',
    'secp521r1',
    'ffdhe2048',
  ]);
  assert.equal(ch.signatureAlgorithms?.length, 15);
  assert.deepEqual(names(ch.pskKeyExchangeModes), ['psk_dhe_ke']);
  assert.equal(ch.recordSizeLimit, 0x4001);
  assert.deepEqual(
    ch.extensions.map((e) => e.name),
    [
      'server_name',
      'renegotiation_info',
      'supported_groups',
      'session_ticket',
      'key_share',
      'supported_versions',
      'signature_algorithms',
      'psk_key_exchange_modes',
      'record_size_limit',
    ],
  );
});

test('RFC 8448 §3 ServerHello: TLS_AES_128_GCM_SHA256, x25519, TLS 1.3 from supported_versions', () => {
  const { notes, note } = collect();
  const sh = parseServerHello(RFC8448.serverHello.subarray(4), note);
  assert.deepEqual(notes, []);
  assert.equal(sh.cipherSuite.name, 'TLS_AES_128_GCM_SHA256');
  assert.equal(sh.cipherSuite.code, 0x1301);
  assert.deepEqual(names(sh.keyShareGroups), ['x25519']);
  assert.equal(sh.legacyVersion.name, 'TLS 1.2');
  assert.deepEqual(sh.version, { code: 0x0304, name: 'TLS 1.3' });
  assert.equal(sh.helloRetryRequest, false);
  assert.equal(sh.downgradeSentinel, undefined);
});

test('a TLS 1.2 ClientHello: SNI, ALPN, groups, signature algorithms, point formats', () => {
  const { notes, note } = collect();
  const ch = parseClientHello(CLIENT_HELLO_12, note);
  assert.deepEqual(notes, []);
  assert.equal(ch.serverName, 'localhost');
  assert.deepEqual(ch.alpn, ['mqtt']);
  assert.deepEqual(names(ch.cipherSuites), [
    'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  ]);
  assert.deepEqual(names(ch.supportedGroups), ['x25519', 'secp256r1']);
  assert.deepEqual(names(ch.signatureAlgorithms), ['ecdsa_secp256r1_sha256', 'rsa_pss_rsae_sha256']);
  assert.deepEqual(ch.ecPointFormats, [0]);
  assert.equal(ch.supportedVersions, undefined);
  assert.equal(ch.extensions.at(-1)?.name, 'extended_master_secret');
});

test('a TLS 1.2 ServerHello: version from legacy_version, 32-byte session id, ALPN', () => {
  const sh = parseServerHello(SERVER_HELLO_12, () => assert.fail('no note expected'));
  assert.deepEqual(sh.version, { code: 0x0303, name: 'TLS 1.2' });
  assert.equal(sh.sessionIdLength, 32);
  assert.equal(sh.cipherSuite.name, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
  assert.deepEqual(sh.alpn, ['mqtt']);
});

test('RFC 8446 §4.1.3: the HelloRetryRequest random is SHA-256("HelloRetryRequest")', () => {
  assert.equal(toHex(HRR_RANDOM), createHash('sha256').update('HelloRetryRequest').digest('hex'));
  const hrr = parseServerHello(HELLO_RETRY_REQUEST, () => assert.fail('no note expected'));
  assert.equal(hrr.helloRetryRequest, true);
  assert.deepEqual(names(hrr.keyShareGroups), ['secp256r1'], 'HRR key_share is a bare selected_group');
  assert.equal(hrr.version.name, 'TLS 1.3');
});

test('RFC 8446 §4.1.3: the downgrade sentinel "DOWNGRD" + 01 / 00 is reported', () => {
  for (const [last, expected] of [
    ['01', '1.2'],
    ['00', '1.1'],
  ] as const) {
    const body = Uint8Array.from(SERVER_HELLO_12);
    body.set(hex(`${Buffer.from('DOWNGRD').toString('hex')}${last}`), 2 + 24);
    assert.equal(parseServerHello(body, () => {}).downgradeSentinel, expected);
  }
});

test('a hello without an extension block is valid (RFC 5246 §7.4.1.2)', () => {
  const ch = parseClientHello(hex(`0301 ${'00'.repeat(32)} 00 0002 002f 0100`), () => {});
  assert.deepEqual(ch.extensions, []);
  assert.equal(ch.cipherSuites[0]?.name, 'TLS_RSA_WITH_AES_128_CBC_SHA');
});

test('length violations throw TlsParseError: session id > 32, odd suites, empty compression', () => {
  const bad = [
    `0303 ${'00'.repeat(32)} 21 ${'00'.repeat(33)} 0002 002f 0100`,
    `0303 ${'00'.repeat(32)} 00 0003 002f00 0100`,
    `0303 ${'00'.repeat(32)} 00 0002 002f 00`,
    `0303 ${'00'.repeat(32)} 00 0002 002f 0100 0010 0000`,
    `0303 ${'00'.repeat(31)}`,
  ];
  for (const h of bad) assert.throws(() => parseClientHello(hex(h), () => {}), TlsParseError, h);
});

test('trailing bytes after the extension block are a decode error', () => {
  assert.throws(() => parseClientHello(cat(CLIENT_HELLO_12, hex('00')), () => {}), /trailing/);
});
