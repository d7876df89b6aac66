import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex } from '../bytes.js';
import { CIPHER_SUITE_NAMES, CIPHER_SUITES } from '../cipher-suites.js';
import { GROUP_IDS, GROUP_NAMES } from '../key-share.js';
import { SIGNATURE_SCHEMES } from '../signature-schemes.js';
import { encodeClientHello } from './client-hello.js';

const params = {
  random: new Uint8Array(32).fill(0xaa),
  cipherSuites: CIPHER_SUITE_NAMES.map((n) => CIPHER_SUITES[n].id),
  groups: GROUP_NAMES.map((g) => GROUP_IDS[g]),
  signatureSchemes: SIGNATURE_SCHEMES.map((s) => s.id),
};

test('ClientHello golden bytes, assembled by hand from RFC 5246 §7.4.1.2 and the extension RFCs', () => {
  const expected = [
    '01 000077', // handshake: client_hello, 119 bytes
    '0303', // client_version TLS 1.2
    'aa'.repeat(32), // random
    '00', // session_id: empty (no resumption)
    '0008 c02b c02f c02c c030', // cipher_suites (RFC 5289)
    '01 00', // compression_methods: null only
    '0046', // extensions, 70 bytes
    '0000 000f 000d 00 000a 62726f6b65722e6c6162', // server_name: host_name "broker.lab" (RFC 6066 §3)
    '000a 0008 0006 001d 0017 0018', // supported_groups: x25519, secp256r1, secp384r1
    '000b 0002 01 00', // ec_point_formats: uncompressed (RFC 8422 §5.1.2)
    '000d 0014 0012 0403 0503 0603 0804 0805 0806 0401 0501 0601', // signature_algorithms
    '0017 0000', // extended_master_secret (RFC 7627)
    'ff01 0001 00', // renegotiation_info, empty (RFC 5746)
  ]
    .join('')
    .replace(/\s/g, '');
  assert.equal(toHex(encodeClientHello({ ...params, serverName: 'broker.lab' })), expected);
});

test('no server_name without a DNS name; a trailing dot is not sent (RFC 6066 §3)', () => {
  const without = toHex(encodeClientHello(params));
  assert.ok(!without.includes('0000000f'));
  assert.equal(without.slice(0, 8), '01000064', '19 bytes shorter: no SNI extension');
  const dotted = toHex(encodeClientHello({ ...params, serverName: 'broker.lab.' }));
  assert.equal(dotted, toHex(encodeClientHello({ ...params, serverName: 'broker.lab' })));
  assert.throws(() => encodeClientHello({ ...params, random: new Uint8Array(31) }), RangeError);
});
