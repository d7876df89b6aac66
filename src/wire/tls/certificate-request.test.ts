import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCertificateRequest } from './certificate-request.js';
import { CERTIFICATE_REQUEST, hex } from './golden.case.js';
import { TlsParseError } from './reader.js';

test('TLS 1.2 CertificateRequest (RFC 5246 §7.4.4): types, signature algorithms, CA names', () => {
  assert.deepEqual(parseCertificateRequest(CERTIFICATE_REQUEST, true), {
    certificateTypes: [
      { code: 1, name: 'rsa_sign' },
      { code: 64, name: 'ecdsa_sign' },
    ],
    signatureAlgorithms: [
      { code: 0x0403, name: 'ecdsa_secp256r1_sha256' },
      { code: 0x0804, name: 'rsa_pss_rsae_sha256' },
    ],
    certificateAuthorities: ['CN=Test CA'],
  });
});

test('TLS 1.0/1.1 CertificateRequest has no signature algorithms', () => {
  assert.deepEqual(parseCertificateRequest(hex('01 40 0000'), false), {
    certificateTypes: [{ code: 64, name: 'ecdsa_sign' }],
    certificateAuthorities: [],
  });
});

test('a DN that is not DER is reported in place', () => {
  const r = parseCertificateRequest(hex('01 40 0002 0403 0005 0003 010203'), true);
  assert.deepEqual(r.certificateAuthorities, ['(not a DER Name: 3 bytes)']);
});

test('length violations: no types, DN longer than its list', () => {
  assert.throws(() => parseCertificateRequest(hex('00 0002 0403 0000'), true), /certificate_types: length 0/);
  assert.throws(() => parseCertificateRequest(hex('01 40 0002 0403 0004 0009 0102'), true), TlsParseError);
});
