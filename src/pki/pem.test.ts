import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../core/errors.js';
import { decodePem, encodePem } from './pem.js';

test('encode/decode round trip with 64-character lines', () => {
  const der = Uint8Array.from({ length: 100 }, (_, i) => i);
  const pem = encodePem('CERTIFICATE', der);
  assert.ok(pem.split('\n').every((l) => l.length <= 64));
  assert.deepEqual(decodePem(`junk before\n${pem}junk after`, ['CERTIFICATE'], 'x')[0]!.der, der);
});

test('binary DER is accepted as one block', () => {
  assert.equal(decodePem(Uint8Array.of(0x30, 0x00), ['CERTIFICATE'], 'x')[0]!.der.length, 2);
});

test('wrong label, bad base64, mismatched END and empty bodies are ERR_PEM_MALFORMED', () => {
  const cases = [
    '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
    '-----BEGIN CERTIFICATE-----\nAA*A\n-----END CERTIFICATE-----\n',
    '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n',
    '-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n',
    'not pem at all',
  ];
  for (const c of cases)
    assert.throws(
      () => decodePem(c, ['CERTIFICATE'], 'x'),
      (e) => isLabError(e, 'ERR_PEM_MALFORMED'),
      c,
    );
});
