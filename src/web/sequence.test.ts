import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isLabError } from '../core/errors.js';
import { analyzeCapture } from '../wire/analyze/index.js';
import { parseKeyLog } from '../wire/tls/keylog.js';
import { CaptureCatalog, loadCaptureFiles } from './captures.js';
import { captureSequence } from './sequence.js';
import { finishedRecordLength } from './sequence-tls13.js';

const GOLDEN = new URL('../../test/golden/wire/', import.meta.url);
const golden = (name: string) => readFileSync(new URL(name, GOLDEN));
interface Expected {
  tls: { records: { c2s: [number, number][]; s2c: [number, number][] } };
}
const expected = (name: string) =>
  JSON.parse(golden(`mosquitto-pub-${name}.expected.json`).toString('utf8')) as Expected;

test('TLS 1.3 (RFC 8446 §2): after ServerHello both flights are encrypted; the client certificate is not in clear', () => {
  const [c] = captureSequence(golden('mosquitto-pub-tls13.pcap')).connections;
  assert.ok(c);
  assert.equal(c.tlsVersion, 'TLS 1.3');
  assert.equal(c.clientCertificateInClear, false);
  assert.equal(c.clientCertificate?.visibility, 'encrypted');
  const labels = c.messages.map((m) => `${m.from} ${m.visibility} ${m.label}`);
  const sh = labels.indexOf('server clear ServerHello');
  assert.ok(sh > 0);
  // Nothing after ServerHello is a clear handshake message (only the compatibility CCS, RFC 8446 D.4).
  for (const m of c.messages.slice(sh + 1)) {
    if (m.visibility === 'clear') assert.match(m.label, /^ChangeCipherSpec \(compatibility\)$/);
  }
  assert.ok(!c.messages.some((m) => m.label === 'Certificate'));
  const flights = c.messages.filter((m) => m.label === 'Encrypted handshake');
  assert.deepEqual(
    flights.map((f) => [f.from, f.visibility, f.hidden]),
    [
      [
        'server',
        'encrypted',
        ['EncryptedExtensions', 'CertificateRequest', 'Certificate', 'CertificateVerify', 'Finished'],
      ],
      ['client', 'encrypted', ['Certificate', 'CertificateVerify', 'Finished']],
    ],
  );
  // Oracle: tshark's record list for the file. The server flight is its type-23 records up to
  // the Finished-sized one; the client flight likewise.
  const finished = finishedRecordLength({ code: 0x1302, name: 'TLS_AES_256_GCM_SHA384' })!;
  assert.equal(finished, 69);
  const flight = (rs: [number, number][]) => {
    const t23 = rs.filter(([type]) => type === 23).map(([, len]) => len);
    return t23.slice(0, t23.indexOf(finished) + 1);
  };
  const e = expected('tls13').tls.records;
  assert.deepEqual([flights[0]!.count, flights[1]!.count], [flight(e.s2c).length, flight(e.c2s).length]);
  assert.match(flights[0]!.detail ?? '', new RegExp(`^${flight(e.s2c).reduce((a, b) => a + b, 0)} B`));
  assert.match(flights[1]!.detail ?? '', new RegExp(`^${flight(e.c2s).reduce((a, b) => a + b, 0)} B`));
  // The key holder confirms what the lengths suggested: a client certificate was inside.
  const keyLog = parseKeyLog(golden('mosquitto-pub-tls13.keys').toString('utf8'));
  const held = analyzeCapture(golden('mosquitto-pub-tls13.pcap'), { keyLog });
  assert.match(held.connections[0]?.decrypted?.clientCertificate?.subject ?? '', /CN=m5go-01/);
});

test('TLS 1.2: the client certificate crosses in clear, with its subject', () => {
  const [c] = captureSequence(golden('mosquitto-pub-tls12.pcap')).connections;
  assert.ok(c);
  assert.equal(c.tlsVersion, 'TLS 1.2');
  assert.equal(c.clientCertificateInClear, true);
  assert.deepEqual(c.clientCertificate, { visibility: 'clear', subject: 'O=Ciel Lab, CN=m5go-01' });
  const cert = c.messages.find((m) => m.from === 'client' && m.label === 'Certificate');
  assert.equal(cert?.visibility, 'clear');
  assert.match(cert?.detail ?? '', /CN=m5go-01/);
  assert.ok(!c.messages.some((m) => m.hidden !== undefined));
});

test('plain MQTT 3.1.1 (pcap) and 5 (pcapng): every packet in clear', () => {
  for (const f of ['mosquitto-pub-plain.pcap', 'mosquitto-pub-v5-plain.pcapng']) {
    const [c] = captureSequence(golden(f)).connections;
    assert.equal(c?.protocol, 'mqtt', f);
    assert.deepEqual(
      c.messages.filter((m) => m.visibility === 'clear').map((m) => m.label),
      ['CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'DISCONNECT'],
      f,
    );
  }
});

test('capture catalog: ids only, a malformed file keeps its coded error, unknown ids find nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mqtts-lab-captures-'));
  try {
    writeFileSync(join(dir, 'bad.pcap'), 'not a capture at all');
    writeFileSync(join(dir, 'step2.pcap'), golden('mosquitto-pub-tls12.pcap'));
    const files = loadCaptureFiles([
      { path: new URL('mosquitto-pub-tls13.pcap', GOLDEN).pathname },
      { path: join(dir, 'bad.pcap') },
    ]);
    assert.equal(files[1]?.error?.code, 'ERR_PCAP_MALFORMED');
    const catalog = new CaptureCatalog({ root: dir, sessionPrefix: '', files, live: () => undefined });
    const list = catalog.list();
    assert.deepEqual(
      list.map((c) => c.id),
      ['session-step2', 'file-1', 'file-2'],
    );
    assert.ok(!JSON.stringify(list).includes(dir), 'no path in the list');
    assert.equal(catalog.load('file-1')?.body.length, golden('mosquitto-pub-tls13.pcap').length);
    assert.throws(
      () => captureSequence(catalog.load('file-2')!.body),
      (e: unknown) => isLabError(e, 'ERR_PCAP_MALFORMED'),
    );
    for (const id of [
      'live',
      'run-step2',
      'session-step5',
      'file-0',
      'file-3',
      '../bad.pcap',
      'bad.pcap',
      '',
    ])
      assert.equal(catalog.load(id), undefined, id);
    // Under `lab run --ui` the session writes in live/ and the run's own captures stay in root.
    mkdirSync(join(dir, 'live'));
    writeFileSync(join(dir, 'live', 'step3.pcap'), golden('mosquitto-pub-tls13.pcap'));
    const ui = new CaptureCatalog({ root: dir, sessionPrefix: 'live/', files: [], live: () => undefined });
    assert.deepEqual(
      ui.list().map((c) => [c.id, c.step]),
      [
        ['session-step3', 3],
        ['run-step2', 2],
      ],
    );
    assert.equal(ui.load('run-step2')?.body.length, golden('mosquitto-pub-tls12.pcap').length);
    assert.throws(
      () => loadCaptureFiles([{ path: join(dir, 'missing.pcap') }]),
      (e: unknown) => isLabError(e, 'ERR_FS_NOT_FOUND'),
    );
    writeFileSync(join(dir, 'bad.keys'), 'CLIENT_RANDOM nothex\n');
    assert.throws(
      () => loadCaptureFiles([{ path: join(dir, 'step2.pcap'), keyLogPath: join(dir, 'bad.keys') }]),
      (e: unknown) => isLabError(e, 'ERR_KEYLOG_MALFORMED'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
