import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../../core/errors.js';
import { parseCertificateRequest } from './certificate-request.js';
import { encodeCertificate, parseCertificateList } from './certificate.js';
import { parseServerHello } from './server-hello.js';
import { parseServerKeyExchange } from './server-key-exchange.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));
const decodeError = (e: unknown) => isLabError(e, 'ERR_TLS_PROTOCOL') && e.details.alert === 'decode_error';
const RANDOM = '11'.repeat(32);

test('ServerHello: fields, optional extensions block, duplicates and trailing bytes', () => {
  const sh = parseServerHello(hex(`0303 ${RANDOM} 04 01020304 c02b 00 0009 0017 0000 ff01 0001 00`));
  assert.equal(sh.version, 0x0303);
  assert.equal(sh.cipherSuite, 0xc02b);
  assert.deepEqual(sh.sessionId, hex('01020304'));
  assert.deepEqual([...sh.extensions.keys()], [0x17, 0xff01]);
  // RFC 5246 §7.4.1.3: no extensions block at all is legal.
  assert.equal(parseServerHello(hex(`0303 ${RANDOM} 00 c02f 00`)).extensions.size, 0);
  assert.throws(() => parseServerHello(hex(`0303 ${RANDOM} 21 ${'00'.repeat(33)} c02f 00`)), decodeError);
  assert.throws(() => parseServerHello(hex(`0303 ${RANDOM} 00 c02f 00 0004 0017 0000 00`)), decodeError);
  assert.throws(() => parseServerHello(hex(`0303 ${RANDOM} 00 c02f`)), decodeError);
  assert.throws(
    () => parseServerHello(hex(`0303 ${RANDOM} 00 c02f 00 0008 0017 0000 0017 0000`)),
    (e: unknown) => isLabError(e, 'ERR_TLS_PROTOCOL') && e.details.alert === 'illegal_parameter',
  );
});

test('Certificate: round trip, empty list, zero-length entry, length mismatch, too many certificates', () => {
  const chain = [hex('3003020101'), hex('30020500')];
  const msg = encodeCertificate(chain);
  assert.deepEqual(parseCertificateList(msg.subarray(4)), chain);
  assert.deepEqual(parseCertificateList(hex('000000')), []);
  assert.throws(() => parseCertificateList(hex('000003 000000')), decodeError, 'ASN.1Cert<1..2^24-1>');
  assert.throws(() => parseCertificateList(hex('000005 000001 30')), decodeError);
  const seventeen = encodeCertificate(Array.from({ length: 17 }, () => hex('30 00'))).subarray(4);
  assert.throws(() => parseCertificateList(seventeen), decodeError);
});

test('ServerKeyExchange: named curve params, the exact signed bytes, the signature', () => {
  const point = `04${'ab'.repeat(64)}`;
  const body = hex(`03 0017 41 ${point} 0403 0003 010203`);
  const ske = parseServerKeyExchange(body);
  assert.equal(ske.namedCurve, 0x17);
  assert.deepEqual(ske.params, body.subarray(0, 4 + 65));
  assert.equal(ske.signatureScheme, 0x0403);
  assert.deepEqual(ske.signature, hex('010203'));
  // RFC 8422 §5.4: explicit curves are gone.
  assert.throws(
    () => parseServerKeyExchange(hex(`01 0017 41 ${point} 0403 0003 010203`)),
    (e: unknown) => isLabError(e, 'ERR_TLS_HANDSHAKE') && e.details.alert === 'illegal_parameter',
  );
  assert.throws(() => parseServerKeyExchange(hex(`03 0017 00 0403 0003 010203`)), decodeError, 'empty point');
  assert.throws(() => parseServerKeyExchange(hex(`03 0017 41 ${point} 0403 0004 010203`)), decodeError);
});

test('CertificateRequest: types, signature algorithms, authorities; malformed vectors are decode_error', () => {
  const cr = parseCertificateRequest(hex('02 01 40  0004 0403 0804  0006 0004 30023100'));
  assert.deepEqual(cr.certificateTypes, [1, 64]);
  assert.deepEqual(cr.signatureSchemes, [0x0403, 0x0804]);
  assert.deepEqual(cr.authorities, [hex('30023100')]);
  assert.throws(
    () => parseCertificateRequest(hex('00 0002 0403 0000')),
    decodeError,
    'certificate_types<1..>',
  );
  assert.throws(() => parseCertificateRequest(hex('01 40 0003 040308 0000')), decodeError, 'odd algorithms');
  assert.throws(() => parseCertificateRequest(hex('01 40 0002 0403 0002 0000')), decodeError, 'empty DN');
});
