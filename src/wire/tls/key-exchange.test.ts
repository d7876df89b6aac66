import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CERTIFICATE_VERIFY, CLIENT_KEY_EXCHANGE, hex, SERVER_KEY_EXCHANGE } from './golden.case.js';
import { parseCertificateVerify, parseClientKeyExchange, parseServerKeyExchange } from './key-exchange.js';
import { TlsParseError } from './reader.js';

test('ECDHE ServerKeyExchange (RFC 8422 §5.4): named curve, point size, signature scheme', () => {
  assert.deepEqual(parseServerKeyExchange(SERVER_KEY_EXCHANGE, 'ecdhe', true), {
    keyExchange: 'ecdhe',
    curveType: 3,
    group: { code: 0x1d, name: 'x25519' },
    publicKeyLength: 32,
    signatureScheme: { code: 0x0804, name: 'rsa_pss_rsae_sha256' },
  });
});

test('an explicit curve (deprecated by RFC 8422 §5.4) is not decoded', () => {
  assert.throws(
    () => parseServerKeyExchange(hex('01 0000'), 'ecdhe', true),
    /curve_type 1 is not named_curve/,
  );
});

test('DHE ServerKeyExchange (RFC 5246 §7.4.3): prime size in bits', () => {
  const body = hex(`0003 00ffee 0001 02 0002 abcd 0401 0002 0102`);
  assert.deepEqual(parseServerKeyExchange(body, 'dhe', true), {
    keyExchange: 'dhe',
    primeBits: 16,
    publicKeyLength: 2,
    signatureScheme: { code: 0x0401, name: 'rsa_pkcs1_sha256' },
  });
  assert.equal(parseServerKeyExchange(hex('0001 80 0001 02 0001 03 0000'), 'dhe', false).primeBits, 8);
});

test('a key exchange the suite does not say is not guessed', () => {
  assert.deepEqual(parseServerKeyExchange(hex('0102'), undefined, true), { keyExchange: 'unknown' });
  assert.deepEqual(parseClientKeyExchange(hex('0102'), 'psk'), { keyExchange: 'unknown' });
});

test('ClientKeyExchange: ECDHE point (RFC 8422 §5.7), RSA and DHE vectors (RFC 5246 §7.4.7)', () => {
  assert.deepEqual(parseClientKeyExchange(CLIENT_KEY_EXCHANGE, 'ecdhe'), {
    keyExchange: 'ecdhe',
    publicValueLength: 32,
  });
  assert.deepEqual(parseClientKeyExchange(hex(`0100 ${'00'.repeat(256)}`), 'rsa'), {
    keyExchange: 'rsa',
    publicValueLength: 256,
  });
  assert.deepEqual(parseClientKeyExchange(hex('0002 0102'), 'dhe'), {
    keyExchange: 'dhe',
    publicValueLength: 2,
  });
  assert.throws(() => parseClientKeyExchange(hex('00'), 'ecdhe'), /ecdh_Yc: length 0/);
  assert.throws(() => parseClientKeyExchange(hex('21 00'), 'ecdhe'), TlsParseError);
});

test('CertificateVerify (RFC 5246 §7.4.8): scheme in TLS 1.2, bare signature before', () => {
  assert.deepEqual(parseCertificateVerify(CERTIFICATE_VERIFY, true), {
    signatureScheme: { code: 0x0403, name: 'ecdsa_secp256r1_sha256' },
    signatureLength: 8,
  });
  assert.deepEqual(parseCertificateVerify(hex('0003 010203'), false), { signatureLength: 3 });
  assert.throws(() => parseCertificateVerify(hex('0403 0003 0102'), true), TlsParseError);
});
