import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sniffTls } from './detect.js';
import { hex } from './golden.case.js';

const verdict = (h: string) => sniffTls(hex(h)).verdict;

test('a TLS record header is TLS after five bytes, and "more" before', () => {
  assert.equal(verdict('16 0301 00c4'), 'tls');
  assert.equal(verdict('16 03'), 'more');
  assert.equal(verdict(''), 'more');
  assert.equal(verdict('15 0303 0002'), 'tls');
});

test('plaintext MQTT CONNECT is rejected on its first byte', () => {
  const r = sniffTls(hex('10 1d 0004 4d515454 04 02 003c'));
  assert.equal(r.verdict, 'not-tls');
  assert.match(
    r.verdict === 'not-tls' ? r.reason : '',
    /first bytes 101d00044d: content type 16 is not 20–24/,
  );
  assert.equal(verdict('10'), 'not-tls');
});

test('HTTP, SSH and an SSLv2 hello are not TLS records', () => {
  assert.equal(verdict(Buffer.from('GET / HTTP/1.1').toString('hex')), 'not-tls');
  assert.equal(verdict(Buffer.from('SSH-2.0').toString('hex')), 'not-tls');
  const v2 = sniffTls(hex('80 2e 01 0301'));
  assert.match(v2.verdict === 'not-tls' ? v2.reason : '', /SSLv2/);
});

test('header rules: major 3, minor ≤ 4, length 1..2^14+2048', () => {
  assert.equal(verdict('16 02'), 'not-tls');
  assert.equal(verdict('16 0305'), 'not-tls');
  assert.equal(verdict('16 0303 0000'), 'not-tls');
  assert.equal(verdict('17 0303 4800'), 'tls');
  assert.equal(verdict('17 0303 4801'), 'not-tls');
});
