import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { asn1Time, formatIndex, parseIndex } from './index-txt.js';

test('round-trips valid and revoked entries in openssl index.txt format', () => {
  const text =
    'V\t271121103735Z\t\t71CB\tunknown\t/O=Ciel x/CN=broker\n' +
    'R\t271121103735Z\t261122000000Z,keyCompromise\t0A\tunknown\t/CN=m5go-01\n';
  const entries = parseIndex(text);
  assert.equal(entries.length, 2);
  assert.equal(entries[1]!.reason, 'keyCompromise');
  assert.equal(entries[1]!.revokedAt!.toISOString(), '2026-11-22T00:00:00.000Z');
  assert.equal(formatIndex(entries), text);
});

test('dates from 2050 use GeneralizedTime', () => {
  assert.equal(asn1Time(new Date('2049-12-31T23:59:59Z')), '491231235959Z');
  assert.equal(asn1Time(new Date('2050-01-01T00:00:00Z')), '20500101000000Z');
});

test('a malformed line is a coded error naming the line', () => {
  for (const bad of [
    'V\tx\t\t01\tunknown\t/CN=a',
    'Q\t271121103735Z\t\t01\tunknown\t/CN=a',
    'V\t271121103735Z\t\t01',
    'R\t271121103735Z\t\t01\tunknown\t/CN=a',
  ]) {
    assert.throws(
      () => parseIndex(`V\t271121103735Z\t\t02\tunknown\t/CN=ok\n${bad}\n`),
      (e) => isLabError(e, 'ERR_PKI_INDEX_MALFORMED') && e.details.line === 2,
    );
  }
});
