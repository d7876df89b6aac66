import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { testCertificates } from './certs.case.js';
import { dissectTls, TlsDissector } from './dissector.js';
import {
  cat,
  certificateBody,
  chunk,
  CLIENT_HELLO_12,
  fill,
  handshake,
  HELLO_RETRY_REQUEST,
  hex,
  record,
  RFC8448,
  SERVER_HELLO_12,
  tls12Connection,
  tls13Connection,
} from './golden.case.js';
import type { TlsDissection, TlsStreamChunk } from './types.js';

type Tls = Extract<TlsDissection, { tls: true }>;

function tls(chunks: readonly TlsStreamChunk[], options = {}): Tls {
  const r = dissectTls(chunks, options);
  assert.ok(r.tls, r.tls ? '' : r.reason);
  return r;
}
const kinds = (r: Tls) =>
  r.records.map((x) => `${x.direction} ${x.contentTypeName}${x.encrypted ? ' (enc)' : ''}`);
const messages = (r: Tls) => r.handshakes.map((h) => `${h.direction} ${h.type}`);
/** Every byte its own chunk, keeping the chunk's capture time. */
const bytewise = (chunks: readonly TlsStreamChunk[]) =>
  chunks.flatMap((c) => [...c.bytes].map((b) => ({ ...c, bytes: Uint8Array.of(b) })));

test('TLS 1.2 mutual TLS: records, plaintext handshake, encrypted Finished, summary', async () => {
  const certs = await testCertificates();
  const r = tls(tls12Connection([certs.broker, certs.ca], [certs.device], { c2s: [100, 5000], s2c: [4] }));
  assert.deepEqual(r.malformed, []);
  assert.deepEqual(kinds(r), [
    'c2s handshake',
    's2c handshake',
    's2c handshake',
    's2c handshake',
    's2c handshake',
    'c2s handshake',
    'c2s handshake',
    'c2s handshake',
    'c2s change_cipher_spec',
    'c2s handshake (enc)', // RFC 5246 §7.1: after CCS
    's2c change_cipher_spec',
    's2c handshake (enc)',
    'c2s application_data (enc)',
    'c2s application_data (enc)',
    's2c application_data (enc)',
    'c2s alert (enc)',
  ]);
  assert.equal(r.records[0]?.legacyVersionName, 'TLS 1.0');
  assert.deepEqual(messages(r), [
    'c2s client_hello',
    's2c server_hello',
    's2c certificate',
    's2c server_key_exchange',
    's2c certificate_request',
    's2c server_hello_done',
    'c2s certificate',
    'c2s client_key_exchange',
    'c2s certificate_verify',
    'c2s encrypted',
    's2c encrypted',
  ]);
  const fin = r.handshakes.filter((h) => h.type === 'encrypted');
  assert.deepEqual(
    fin.map((h) => [h.encrypted, h.type === 'encrypted' && h.likely, h.length, h.msgType]),
    [
      [true, 'finished', 40, undefined],
      [true, 'finished', 40, undefined],
    ],
  );
  const cr = r.handshakes.find((h) => h.type === 'certificate_request');
  assert.deepEqual(cr?.type === 'certificate_request' && cr.certificateAuthorities, ['CN=Test CA']);
  assert.equal(r.handshakes[3]?.recordIndex, r.handshakes[4]?.recordIndex, 'two messages in one record');
  assert.deepEqual(r.alerts, [
    { direction: 'c2s', recordIndex: 15, timestampUs: r.records[15]!.endTimestampUs, encrypted: true },
  ]);

  const s = r.summary;
  assert.equal(s.version, '1.2');
  assert.equal(s.versionFrom, 'legacy_version');
  assert.equal(s.cipherSuite?.name, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
  assert.equal(s.keyExchangeGroup?.name, 'x25519');
  assert.equal(s.sni, 'localhost');
  assert.deepEqual(s.alpnOffered, ['mqtt']);
  assert.equal(s.alpnSelected, 'mqtt');
  assert.equal(s.resumed, false);
  assert.deepEqual(
    s.serverCertificates.map((c) => c.subjectCn),
    ['localhost', 'Test CA'],
  );
  assert.equal(s.clientCertificate.requested, true);
  assert.equal(s.clientCertificate.sent, true);
  assert.equal(s.clientCertificate.visible, true);
  assert.equal(s.clientCertificate.subject, 'O=mqtts-lab test, CN=m5go-01');
  assert.equal(s.clientCertificate.subjectCn, 'm5go-01');
  assert.deepEqual(s.handshake, {
    status: 'complete',
    evidence: 'both sides sent ChangeCipherSpec and an encrypted Finished',
    inferred: false,
  });
  assert.deepEqual(
    s.applicationData.c2s.map((x) => [x.length, x.plaintextLength]),
    [
      [124, 100],
      [5024, 5000],
    ],
  );
  assert.deepEqual(
    s.applicationData.s2c.map((x) => x.plaintextLength),
    [4],
  );
  const total = tls12Connection([certs.broker, certs.ca], [certs.device], {
    c2s: [100, 5000],
    s2c: [4],
  }).reduce((n, c) => n + c.bytes.length, 0);
  assert.equal(s.bytes.total, total);
  assert.deepEqual(r.trailing, { c2s: 0, s2c: 0 });
});

test('the result does not depend on how the stream is chunked (1-byte chunks)', async () => {
  const certs = await testCertificates();
  const chunks = tls12Connection([certs.broker], [certs.device]);
  assert.deepEqual(dissectTls(bytewise(chunks)), dissectTls(chunks));
  assert.deepEqual(dissectTls(bytewise(tls13Connection())), dissectTls(tls13Connection()));
});

test('TLS 1.3 (RFC 8448 hellos): version from supported_versions, all after ServerHello encrypted but CCS', () => {
  const r = tls(tls13Connection({ c2s: [100], s2c: [4, 1000] }));
  assert.deepEqual(r.malformed, []);
  assert.deepEqual(kinds(r), [
    'c2s handshake',
    's2c handshake',
    's2c change_cipher_spec', // RFC 8446 §D.4 compatibility record, in clear
    's2c application_data (enc)',
    'c2s change_cipher_spec',
    'c2s application_data (enc)',
    's2c application_data (enc)',
    'c2s application_data (enc)',
    's2c application_data (enc)',
    's2c application_data (enc)',
  ]);
  assert.deepEqual(messages(r), ['c2s client_hello', 's2c server_hello']);
  const s = r.summary;
  assert.equal(s.version, '1.3');
  assert.equal(s.versionCode, 0x0304);
  assert.equal(s.versionFrom, 'supported_versions');
  assert.equal(s.cipherSuite?.name, 'TLS_AES_128_GCM_SHA256');
  assert.equal(s.keyExchangeGroup?.name, 'x25519');
  assert.equal(s.sni, 'server');
  assert.equal(s.alpnSelected, undefined);
  assert.equal(s.resumed, undefined);
  assert.deepEqual(s.serverCertificates, []);
  assert.deepEqual(s.clientCertificate, { requested: 'unknown', sent: 'unknown', visible: false, chain: [] });
  assert.equal(s.handshake.status, 'complete');
  assert.equal(s.handshake.inferred, true);
  // Type-23 records include the encrypted flight and the ticket: an observer cannot tell them apart.
  assert.deepEqual(
    s.applicationData.c2s.map((x) => x.plaintextLength),
    [36, 100],
  );
  assert.deepEqual(
    s.applicationData.s2c.map((x) => x.plaintextLength),
    [657, 205, 4, 1000],
  );
});

test('HelloRetryRequest: detected by its random, and the second ClientHello is still plaintext', () => {
  const ch2 = record(22, RFC8448.clientHello);
  const r = tls([
    chunk('c2s', 1, record(22, RFC8448.clientHello, 0x0301)),
    chunk('s2c', 2, record(22, handshake(2, HELLO_RETRY_REQUEST))),
    chunk('c2s', 3, ch2),
    chunk('s2c', 4, record(22, RFC8448.serverHello), record(23, fill(50, 1))),
  ]);
  assert.deepEqual(r.malformed, []);
  assert.deepEqual(messages(r), [
    'c2s client_hello',
    's2c server_hello',
    'c2s client_hello',
    's2c server_hello',
  ]);
  assert.deepEqual(kinds(r).slice(0, 3), ['c2s handshake', 's2c handshake', 'c2s handshake']);
  assert.equal(r.summary.helloRetryRequest, true);
  assert.equal(r.summary.version, '1.3');
});

test('TLS 1.2: a plaintext fatal alert ends the handshake, and is decoded (RFC 5246 §7.2)', async () => {
  const certs = await testCertificates();
  const chunks = tls12Connection([certs.broker], [certs.device]).slice(0, 3);
  chunks.push(chunk('s2c', 9_000, record(21, hex('0230'))));
  const r = tls(chunks);
  assert.deepEqual(r.alerts.at(-1), {
    direction: 's2c',
    recordIndex: r.records.length - 1,
    timestampUs: 9_000,
    encrypted: false,
    level: { code: 2, name: 'fatal' },
    description: { code: 48, name: 'unknown_ca' },
  });
  assert.deepEqual(r.summary.handshake, {
    status: 'failed',
    evidence: 'server sent a plaintext unknown_ca alert',
    inferred: false,
    alert: { by: 's2c', description: 'unknown_ca' },
  });
  assert.equal(r.summary.clientCertificate.subjectCn, 'm5go-01', 'the rejected identity was still visible');
});

test('TLS 1.3: a server answering the client flight with one 19-byte record has (likely) refused it', () => {
  const chunks = tls13Connection({ c2s: [], s2c: [] }).slice(0, 3);
  chunks.push(chunk('s2c', 9_000, record(23, fill(19, 7))));
  const h = tls(chunks).summary.handshake;
  assert.equal(h.status, 'failed');
  assert.equal(h.inferred, true);
  assert.match(h.evidence, /19-byte record \(an alert\)/);
});

test('TLS 1.3: without a client flight the handshake is incomplete', () => {
  assert.equal(tls(tls13Connection().slice(0, 2)).summary.handshake.status, 'incomplete');
});

test('TLS 1.2 session resumption (RFC 5246 §7.3): ServerHello, CCS, Finished — no Certificate', () => {
  const r = tls([
    chunk('c2s', 1, record(22, handshake(1, CLIENT_HELLO_12))),
    chunk(
      's2c',
      2,
      record(22, handshake(2, SERVER_HELLO_12)),
      record(20, hex('01')),
      record(22, fill(40, 1)),
    ),
    chunk('c2s', 3, record(20, hex('01')), record(22, fill(40, 2))),
  ]);
  assert.equal(r.summary.resumed, true);
  assert.equal(r.summary.handshake.status, 'complete');
  assert.equal(r.summary.clientCertificate.sent, false);
});

test('a CCS before any ServerHello (TLS 1.3 middlebox mode) does not switch to encrypted', () => {
  const r = tls([
    chunk('c2s', 1, record(22, RFC8448.clientHello, 0x0301), record(20, hex('01'))),
    chunk('s2c', 2, record(22, RFC8448.serverHello)),
  ]);
  assert.deepEqual(kinds(r), ['c2s handshake', 'c2s change_cipher_spec', 's2c handshake']);
  assert.deepEqual(r.malformed, []);
});

test('plaintext MQTT on 1883 is { tls: false } at once, without an exception', () => {
  const connect = hex('10 10 0004 4d515454 04 02 003c 0004 6d35676f');
  const r = dissectTls([chunk('c2s', 1, connect), chunk('s2c', 2, hex('20 02 00 00'))]);
  assert.equal(r.tls, false);
  assert.match(r.tls ? '' : r.reason, /content type 16 is not 20–24/);
  assert.deepEqual(r.bytes, { c2s: connect.length, s2c: 4, total: connect.length + 4 });
  assert.deepEqual(dissectTls([]), { tls: false, reason: 'no bytes', bytes: { c2s: 0, s2c: 0, total: 0 } });
});

test('a server answering TLS with plaintext: TLS, with the server stream noted malformed', () => {
  const r = tls([
    chunk('c2s', 1, record(22, RFC8448.clientHello)),
    chunk('s2c', 2, Buffer.from('HTTP/1.1 400 Bad')),
  ]);
  assert.deepEqual(r.malformed, [
    { direction: 's2c', offset: 0, what: 'record header: version major 84, not 3' },
  ]);
  assert.equal(r.records.length, 1);
});

test('the first side to speak decides; a stalled leader lets a whole header from the other decide', () => {
  const d = new TlsDissector();
  d.push(chunk('c2s', 1, hex('16')));
  d.push(chunk('s2c', 2, record(21, hex('0228'))));
  d.push(chunk('c2s', 3, record(22, RFC8448.clientHello).subarray(1)));
  const r = d.finish();
  assert.ok(r.tls);
  assert.deepEqual(kinds(r), ['s2c alert', 'c2s handshake']);
});

test('a framing error mid-stream keeps what was parsed before it, and the other direction goes on', () => {
  const r = tls([
    chunk('c2s', 1, record(22, RFC8448.clientHello)),
    chunk('s2c', 2, record(22, RFC8448.serverHello), hex('17 0303 ffff 00')),
    chunk('c2s', 3, record(20, hex('01')), record(23, fill(30, 0))),
  ]);
  assert.deepEqual(r.malformed, [
    { direction: 's2c', offset: 95, what: 'record header: length 65535 exceeds 2^14+2048' },
  ]);
  assert.deepEqual(kinds(r), [
    'c2s handshake',
    's2c handshake',
    'c2s change_cipher_spec',
    'c2s application_data (enc)',
  ]);
  assert.equal(r.summary.version, '1.3');
});

test('a malformed ClientHello body is noted at its offset; the message stays listed', () => {
  const bad = handshake(1, hex(`0303 ${'00'.repeat(32)} 00 0003 002f00 0100`));
  const r = tls([chunk('c2s', 1, record(22, cat(handshake(0, hex('')), bad)))]);
  assert.deepEqual(r.malformed, [
    { direction: 'c2s', offset: 9, what: 'client_hello: cipher_suites: odd length 3 (at +37)' },
  ]);
  assert.deepEqual(messages(r), ['c2s hello_request', 'c2s other']);
});

test('a handshake message over the reassembly limit is refused at its header (bounded buffer)', () => {
  const body = Array.from({ length: 40 }, (_, i) => chunk('c2s', i + 2, record(22, fill(16384, 0))));
  const r = tls([chunk('c2s', 1, record(22, hex('0b 04b000'))), ...body]);
  assert.deepEqual(r.malformed, [
    {
      direction: 'c2s',
      offset: 5,
      what: 'handshake message of 307200 bytes exceeds the 262144-byte reassembly limit',
    },
  ]);
  assert.equal(r.records.length, 41);
  const small = tls([chunk('c2s', 1, record(22, handshake(11, fill(2000, 0))))], {
    maxHandshakeMessage: 1024,
  });
  assert.match(small.malformed[0]!.what, /2000 bytes exceeds the 1024-byte/);
});

test('a Certificate message spanning three records is reassembled', async () => {
  const { device, ca } = await testCertificates();
  const msg = handshake(11, certificateBody([device, ca]));
  const third = Math.ceil(msg.length / 3);
  const parts = [0, 1, 2].map((i) => record(22, msg.subarray(i * third, (i + 1) * third)));
  const r = tls([
    chunk('c2s', 1, record(22, handshake(1, CLIENT_HELLO_12))),
    chunk('s2c', 2, record(22, handshake(2, SERVER_HELLO_12)), ...parts),
  ]);
  const cert = r.handshakes.at(-1);
  assert.equal(cert?.type, 'certificate');
  assert.equal(cert?.recordIndex, 4);
  assert.equal(cert?.offset, 5 + 4 + SERVER_HELLO_12.length + 5);
  assert.deepEqual(
    r.summary.serverCertificates.map((c) => c.subjectCn),
    ['m5go-01', 'Test CA'],
  );
});

test('a handshake message cut by ChangeCipherSpec is noted (RFC 8446 §5.1)', () => {
  const r = tls([
    chunk('c2s', 1, record(22, handshake(1, CLIENT_HELLO_12))),
    chunk('s2c', 2, record(22, handshake(2, SERVER_HELLO_12))),
    chunk('c2s', 3, record(22, hex('10 000021 20')), record(20, hex('01'))),
  ]);
  const at = 5 + 4 + CLIENT_HELLO_12.length + 5; // the second record's fragment
  assert.deepEqual(r.malformed, [
    { direction: 'c2s', offset: at, what: 'handshake message cut by change_cipher_spec' },
  ]);
});

test('record-level rule breaks are noted and parsing continues', () => {
  const r = tls([
    chunk(
      'c2s',
      1,
      record(22, handshake(1, CLIENT_HELLO_12)),
      record(22, hex('')),
      record(30, hex('00')),
      record(21, hex('01000230')),
    ),
    chunk('s2c', 2, record(20, hex('01'))),
  ]);
  assert.deepEqual(
    r.malformed.map((m) => m.what),
    ['zero-length handshake record', 'unknown content type 30', 'alert record of 4 bytes, not 2'],
  );
  assert.deepEqual(
    r.alerts.map((a) => a.description?.name),
    ['close_notify', 'unknown_ca'],
  );
  assert.equal(r.records[2]?.contentTypeName, 'unknown');
});

test('the stream ending inside a record or a handshake message is reported', () => {
  const r = tls([chunk('c2s', 1, record(22, hex('01 000100 0303')), hex('16 0303 00'))]);
  assert.deepEqual(r.trailing, { c2s: 4, s2c: 0 });
  assert.deepEqual(r.malformed, [
    { direction: 'c2s', offset: 5, what: 'stream ends inside a handshake message' },
  ]);
});

test('finish() is final: a second call returns the same result, later pushes are ignored', () => {
  const d = new TlsDissector();
  d.push(chunk('c2s', 1, record(22, RFC8448.clientHello)));
  const first = d.finish();
  d.push(chunk('s2c', 2, record(22, RFC8448.serverHello)));
  assert.equal(d.finish(), first);
});

test('options are validated: an unknown key is an error naming it', () => {
  assert.throws(
    () => new TlsDissector({ maxHandshake: 5 } as never),
    (e: unknown) => isLabError(e) && e.code === 'ERR_OPTIONS_UNKNOWN_KEY' && /maxHandshake/.test(e.message),
  );
  assert.throws(
    () => new TlsDissector({ maxHandshakeMessage: 1 }),
    (e: unknown) => isLabError(e) && e.code === 'ERR_OPTIONS_INVALID',
  );
});
