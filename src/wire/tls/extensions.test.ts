import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type HelloKind, parseHelloExtensions } from './extensions.js';
import { hex } from './golden.case.js';
import { TlsReader } from './reader.js';

function parse(block: string, kind: HelloKind = 'client_hello') {
  const notes: string[] = [];
  const bytes = hex(block);
  const withLength = Uint8Array.from([bytes.length >> 8, bytes.length & 0xff, ...bytes]);
  const ext = parseHelloExtensions(new TlsReader(withLength), kind, (w) => notes.push(w));
  return { ext, notes };
}
const names = (list: readonly { name: string }[] | undefined) => list?.map((x) => x.name);

test('server_name (RFC 6066 §3): the first host_name', () => {
  const { ext, notes } = parse('0000 0010 000e 00 000b 62726f6b65722e6c6f6361');
  assert.equal(ext.serverName, 'broker.loca');
  assert.deepEqual(notes, []);
  assert.equal(parse('0000 0000', 'server_hello').ext.serverName, undefined, 'server ack is empty');
});

test('server_name of an unknown name type is reported, not guessed', () => {
  const { ext, notes } = parse('0000 0006 0004 01 0001 61');
  assert.equal(ext.serverName, undefined);
  assert.match(notes[0]!, /server_name type 1 is not host_name/);
});

test('ALPN (RFC 7301 §3.1): protocol names in order; an empty name is malformed', () => {
  assert.deepEqual(parse('0010 000d 000b 04 6d717474 02 6832 02 6869').ext.alpn, ['mqtt', 'h2', 'hi']);
  assert.match(parse('0010 0004 0002 0000').notes[0]!, /ALPN ProtocolName: length 0 outside <1\.\.255>/);
});

test('supported_versions: a list in ClientHello, one selected_version in ServerHello (RFC 8446 §4.2.1)', () => {
  assert.deepEqual(names(parse('002b 0005 04 0304 0303').ext.supportedVersions), ['TLS 1.3', 'TLS 1.2']);
  assert.deepEqual(names(parse('002b 0002 0304', 'server_hello').ext.supportedVersions), ['TLS 1.3']);
  assert.deepEqual(names(parse('002b 0005 04 7a7a 7f1c').ext.supportedVersions), [
    'GREASE',
    'unknown(0x7f1c)',
  ]);
});

test('key_share (RFC 8446 §4.2.8): client_shares, server_share, HRR selected_group', () => {
  const ch = parse(`0033 002b 0029 001d 0020 ${'aa'.repeat(32)} 0017 0001 04`).ext;
  assert.deepEqual(names(ch.keyShareGroups), ['x25519', 'secp256r1']);
  const sh = parse(`0033 0024 001d 0020 ${'bb'.repeat(32)}`, 'server_hello').ext;
  assert.deepEqual(names(sh.keyShareGroups), ['x25519']);
  const hrr = parse('0033 0002 0018', 'hello_retry_request').ext;
  assert.deepEqual(names(hrr.keyShareGroups), ['secp384r1']);
  assert.match(parse('0033 0006 0004 001d 0000').notes[0]!, /key_exchange: length 0 outside <1\.\./);
});

test('supported_groups and signature_algorithms name their code points; GREASE is GREASE', () => {
  const { ext } = parse('000a 0008 0006 0a0a 001d 0100 000d 0006 0004 0807 0804');
  assert.deepEqual(names(ext.supportedGroups), ['GREASE', 'x25519', 'ffdhe2048']);
  assert.deepEqual(names(ext.signatureAlgorithms), ['ed25519', 'rsa_pss_rsae_sha256']);
});

test('psk_key_exchange_modes, record_size_limit, max_fragment_length, ec_point_formats', () => {
  const { ext, notes } = parse('002d 0003 02 0001 001c 0002 0800 0001 0001 02 000b 0002 0100');
  assert.deepEqual(notes, []);
  assert.deepEqual(names(ext.pskKeyExchangeModes), ['psk_ke', 'psk_dhe_ke']);
  assert.equal(ext.recordSizeLimit, 2048);
  assert.equal(ext.maxFragmentLength, 2);
  assert.deepEqual(ext.ecPointFormats, [0]);
  assert.match(parse('001c 0002 003f').notes[0]!, /record_size_limit 63 is below 64/); // RFC 8449 §4
});

test('unknown and undecoded extensions are listed with their length', () => {
  const { ext } = parse('fe0d 0003 010203 1a1a 0000 1234 0001 00 0017 0000');
  assert.deepEqual(
    ext.extensions.map((e) => [e.type, e.name, e.length]),
    [
      [0xfe0d, 'encrypted_client_hello', 3],
      [0x1a1a, 'GREASE', 0], // RFC 8701
      [0x1234, 'unknown(0x1234)', 1],
      [23, 'extended_master_secret', 0],
    ],
  );
});

test('a duplicate extension is noted (RFC 8446 §4.2)', () => {
  assert.deepEqual(parse('0017 0000 0017 0000').notes, [
    'client_hello: duplicate extension extended_master_secret',
  ]);
});

test('an extension body with trailing bytes is noted and the rest still decoded', () => {
  const { ext, notes } = parse('001c 0003 400100 0010 0007 0005 046d717474');
  assert.match(notes[0]!, /record_size_limit: 1 unexpected trailing bytes/);
  assert.deepEqual(ext.alpn, ['mqtt']);
});

test('an extension longer than its block breaks the block: that throws', () => {
  assert.throws(() => parse('0010 0009 0005 046d717474'), /extension data: needs 9 bytes/);
});
