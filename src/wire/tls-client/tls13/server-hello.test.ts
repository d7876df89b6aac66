import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../../core/errors.js';
import { toHex } from '../bytes.js';
import { CIPHER_SUITE_NAMES, CIPHER_SUITES } from '../cipher-suites.js';
import { encodeClientHello } from '../messages/client-hello.js';
import { parseServerHello, type ServerHello } from '../messages/server-hello.js';
import { acceptServerHello } from '../negotiate.js';
import { SIGNATURE_SCHEMES } from '../signature-schemes.js';
import { encodeHello, readHello } from './client-hello.js';
import { DOWNGRADE_TLS12, Ext, HELLO_RETRY_REQUEST_RANDOM } from './codes.js';
import { parseCertificate13, parseCertificateRequest13, parseKeyUpdate } from './messages.js';
import { acceptServerHello13, type Offered13 } from './server-hello.js';
import * as R from './rfc8448.case.js';

const fails = (code: string, alert: string) => (e: unknown) =>
  isLabError(e) && e.code === code && e.details.alert === alert;
const rfcHello = (): ServerHello => parseServerHello(R.SERVER_HELLO.subarray(4));
const offered: Offered13 = {
  sessionId: new Uint8Array(0),
  suites: [0x1301, 0x1302],
  groups: [0x1d, 0x17],
  extensions: new Set([Ext.supportedVersions, Ext.keyShare, Ext.serverName, Ext.supportedGroups]),
  shareGroups: [0x1d],
};
const withExt = (sh: ServerHello, type: number, data: Uint8Array | undefined): ServerHello => {
  const extensions = new Map(sh.extensions);
  if (data === undefined) extensions.delete(type);
  else extensions.set(type, data);
  return { ...sh, extensions };
};

test('RFC 8448 §3 ServerHello: TLS 1.3, TLS_AES_128_GCM_SHA256, the server x25519 share', () => {
  const judged = acceptServerHello13(rfcHello(), offered);
  assert.equal(judged.kind, 'server-hello');
  if (judged.kind !== 'server-hello') return;
  assert.deepEqual([judged.suite.name, judged.group], ['TLS_AES_128_GCM_SHA256', 0x1d]);
  assert.equal(toHex(judged.keyExchange), toHex(R.SERVER_PUBLIC));
});

test('ServerHello rules (RFC 8446 §4.1.3, §4.2, §4.2.1, §4.2.8), each refused with its alert', () => {
  const sh = rfcHello();
  const hs = 'ERR_TLS_HANDSHAKE';
  assert.throws(
    () => acceptServerHello13(withExt(sh, Ext.supportedVersions, R.hex('0303')), offered),
    fails(hs, 'illegal_parameter'),
  );
  assert.throws(
    () => acceptServerHello13({ ...sh, sessionId: Uint8Array.of(1) }, offered),
    fails(hs, 'illegal_parameter'),
  );
  assert.throws(
    () => acceptServerHello13({ ...sh, cipherSuite: 0x1303 }, offered),
    fails(hs, 'illegal_parameter'),
  );
  assert.throws(
    () => acceptServerHello13({ ...sh, compression: 1 }, offered),
    fails(hs, 'illegal_parameter'),
  );
  assert.throws(
    () => acceptServerHello13({ ...sh, version: 0x0304 }, offered),
    fails(hs, 'protocol_version'),
  );
  assert.throws(
    () => acceptServerHello13(withExt(sh, 0x17, new Uint8Array(0)), offered),
    fails(hs, 'unsupported_extension'),
  );
  assert.throws(
    () => acceptServerHello13(withExt(sh, Ext.serverName, new Uint8Array(0)), offered),
    fails(hs, 'illegal_parameter'),
  );
  assert.throws(
    () => acceptServerHello13(withExt(sh, Ext.keyShare, undefined), offered),
    fails(hs, 'missing_extension'),
  );
  const p256 = R.hex(`0017 0041 04${'11'.repeat(64)}`);
  assert.throws(
    () => acceptServerHello13(withExt(sh, Ext.keyShare, p256), offered),
    fails(hs, 'illegal_parameter'),
  );
  assert.throws(
    () => acceptServerHello13(withExt(sh, Ext.keyShare, R.hex('001d 0000')), offered),
    fails('ERR_TLS_PROTOCOL', 'decode_error'),
  );
});

test('HelloRetryRequest (RFC 8446 §4.1.4, §4.2.2, §4.2.8): a new group or a cookie, nothing else', () => {
  const hrr = { ...rfcHello(), random: HELLO_RETRY_REQUEST_RANDOM };
  const retry = acceptServerHello13(withExt(hrr, Ext.keyShare, R.hex('0017')), offered);
  assert.deepEqual(retry.kind === 'hello-retry-request' && [retry.selectedGroup, retry.cookie], [
    0x17,
    undefined,
  ]);
  const cookieOnly = withExt(withExt(hrr, Ext.keyShare, undefined), Ext.cookie, R.hex('0003 616263'));
  const c = acceptServerHello13(cookieOnly, {
    ...offered,
    extensions: new Set([...offered.extensions, Ext.cookie]),
  });
  assert.deepEqual(c.kind === 'hello-retry-request' && [...(c.cookie ?? [])], [0x61, 0x62, 0x63]);
  const hs = 'ERR_TLS_HANDSHAKE';
  // A share we already sent, a group we never offered, or no change at all.
  assert.throws(
    () => acceptServerHello13(withExt(hrr, Ext.keyShare, R.hex('001d')), offered),
    fails(hs, 'illegal_parameter'),
  );
  assert.throws(
    () => acceptServerHello13(withExt(hrr, Ext.keyShare, R.hex('0018')), offered),
    fails(hs, 'illegal_parameter'),
  );
  assert.throws(
    () => acceptServerHello13(withExt(hrr, Ext.keyShare, undefined), offered),
    fails(hs, 'illegal_parameter'),
  );
});

test('downgrade protection (RFC 8446 §4.1.3): a TLS 1.2 ServerHello ending in DOWNGRD 01 refused when 1.3 was offered', () => {
  const random = new Uint8Array(32).fill(0x42);
  random.set(DOWNGRADE_TLS12, 24);
  const sh = parseServerHello(R.hex(`0303 ${toHex(random)} 00 c02b 00 0000`));
  const base = { suites: [0xc02b], requireExtendedMasterSecret: false };
  assert.equal(toHex(DOWNGRADE_TLS12), '444f574e47524401');
  assert.throws(
    () => acceptServerHello(sh, { ...base, offered13: true }),
    fails('ERR_TLS_HANDSHAKE', 'illegal_parameter'),
  );
  // A 1.2-only client does not look (the sentinel is for 1.3-capable clients).
  assert.equal(acceptServerHello(sh, base).suite.id, 0xc02b);
});

test('ClientHello: 1.2-only bytes equal the TLS 1.2 encoder; with 1.3, supported_versions and key_share (RFC 8446 §4.1.2)', () => {
  const params = {
    random: new Uint8Array(32).fill(0xaa),
    tls12Suites: CIPHER_SUITE_NAMES.map((n) => CIPHER_SUITES[n].id),
    groups: [0x1d, 0x17, 0x18],
    signatureSchemes: SIGNATURE_SCHEMES.map((s) => s.id),
    serverName: 'broker.lab',
    alpn: [],
    keyShares: [],
  };
  const only12 = encodeHello({ ...params, versions: ['1.2'], tls13Suites: [] });
  assert.equal(toHex(only12), toHex(encodeClientHello({ ...params, cipherSuites: params.tls12Suites })));
  const both = encodeHello({
    ...params,
    versions: ['1.3', '1.2'],
    tls13Suites: [0x1301, 0x1302, 0x1303],
    keyShares: [{ group: 0x1d, publicKey: R.CLIENT_PUBLIC }],
    alpn: ['mqtt'],
  });
  const offer = readHello(both);
  assert.deepEqual(offer.suites.slice(0, 4), [0x1301, 0x1302, 0x1303, 0xc02b]);
  assert.deepEqual(offer.alpn, ['mqtt']);
  assert.ok(
    [Ext.supportedVersions, Ext.keyShare, Ext.alpn, 23, 0xff01].every((e) => offer.extensions.has(e)),
  );
  const hex = toHex(both);
  assert.ok(hex.includes('002b00050403040303'), 'supported_versions: 1.3 then 1.2');
  assert.ok(
    hex.includes(`00330026 0024 001d 0020 ${toHex(R.CLIENT_PUBLIC)}`.replace(/ /g, '')),
    'key_share x25519',
  );
  const only13 = readHello(
    encodeHello({ ...params, versions: ['1.3'], tls13Suites: [0x1301], keyShares: [] }),
  );
  assert.deepEqual(only13.suites, [0x1301]);
  assert.ok(
    !only13.extensions.has(23) && !only13.extensions.has(Ext.ecPointFormats),
    'no TLS 1.2-only extensions',
  );
});

test('TLS 1.3 message parsers: KeyUpdate value, CertificateRequest needs signature_algorithms, entry extensions seen', () => {
  assert.equal(parseKeyUpdate(Uint8Array.of(1)), 1);
  assert.throws(() => parseKeyUpdate(Uint8Array.of(2)), fails('ERR_TLS_PROTOCOL', 'illegal_parameter'));
  assert.throws(() => parseKeyUpdate(Uint8Array.of(0, 0)), fails('ERR_TLS_PROTOCOL', 'decode_error'));
  assert.deepEqual(
    parseCertificateRequest13(R.hex('00 0008 000d 0004 0002 0403')).signatureSchemes,
    [0x0403],
  );
  assert.throws(
    () => parseCertificateRequest13(R.hex('00 0004 002f 0000')),
    fails('ERR_TLS_HANDSHAKE', 'missing_extension'),
  );
  const cert = parseCertificate13(R.hex('00 00000c 000002 3000 0005 0005 0001 00'));
  assert.deepEqual([cert.chain.length, cert.entryExtensions], [1, [5]]);
  assert.throws(
    () => parseCertificate13(R.hex('00 000005 000002 3000 00')),
    fails('ERR_TLS_PROTOCOL', 'decode_error'),
  );
});
