import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { parseCertificateMessage } from './certificate.js';
import { testCertificates } from './certs.case.js';
import { cat, certificateBody, hex } from './golden.case.js';
import { TlsParseError } from './reader.js';

test('TLS 1.2 Certificate (RFC 5246 §7.4.2): each certificate’s subject, issuer, serial, validity, key', async () => {
  const certs = await testCertificates();
  const [device, ca] = parseCertificateMessage(certificateBody([certs.device, certs.ca]), false);
  // node:crypto's X509Certificate (OpenSSL) is the oracle for what we read with the PKI's parser.
  const x = new X509Certificate(Buffer.from(certs.device));
  assert.equal(device?.subject, 'O=mqtts-lab test, CN=m5go-01');
  assert.equal(device?.subjectCn, 'm5go-01');
  assert.equal(device?.issuer, 'O=mqtts-lab test, CN=Test CA');
  assert.equal(device?.serial, x.serialNumber.replace(/^(00)+(?=.)/, ''));
  assert.equal(device?.notBefore, new Date(x.validFrom).toISOString());
  assert.equal(device?.notAfter, new Date(x.validTo).toISOString());
  assert.equal(device?.publicKey, 'EC P-256');
  assert.equal(device?.sha256Fingerprint, x.fingerprint256);
  assert.equal(device?.length, certs.device.length);
  assert.equal(ca?.subject, 'O=mqtts-lab test, CN=Test CA');
  assert.equal(ca?.serial, certs.caSerial);
});

test('an RSA broker certificate reports its key size', async () => {
  const [broker] = parseCertificateMessage(certificateBody([(await testCertificates()).broker]), false);
  assert.equal(broker?.publicKey, 'RSA 2048');
  assert.equal(broker?.subjectCn, 'localhost');
});

test('an empty certificate_list is a client without a certificate', () => {
  assert.deepEqual(parseCertificateMessage(hex('000000'), false), []);
});

test('bytes that are not X.509 give an entry with an error, not an exception', () => {
  const [bad] = parseCertificateMessage(certificateBody([hex('3003020101')]), false);
  assert.equal(bad?.length, 5);
  assert.match(bad?.error ?? '', /not a valid X\.509 certificate/);
  assert.equal(bad?.subject, undefined);
});

test('TLS 1.3 layout (RFC 8446 §4.4.2): request context, then entries with extensions', async () => {
  const { device } = await testCertificates();
  const u24 = (n: number) => Uint8Array.of(n >> 16, (n >> 8) & 0xff, n & 0xff);
  const entry = cat(u24(device.length), device, hex('0000'));
  const body = cat(hex('00'), u24(entry.length), entry);
  assert.equal(parseCertificateMessage(body, true)[0]?.subjectCn, 'm5go-01');
});

test('a certificate length past the list, or an empty certificate, is a parse error', () => {
  assert.throws(() => parseCertificateMessage(hex('000005 000009 3003020101'), false), TlsParseError);
  assert.throws(() => parseCertificateMessage(hex('000003 000000'), false), /ASN\.1Cert: length 0/);
  assert.throws(() => parseCertificateMessage(hex('000000 00'), false), /trailing/);
});
