import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testCertificates } from '../tls/certs.case.js';
import {
  certificateBody,
  chunk,
  CLIENT_HELLO_12,
  CLIENT_KEY_EXCHANGE,
  fill,
  handshake,
  record,
  SERVER_HELLO_12,
  SERVER_KEY_EXCHANGE,
  tls12Connection,
} from '../tls/golden.case.js';
import type { TlsStreamChunk } from '../tls/index.js';
import { analyzeCapture } from './analyze.js';
import { conversation, pcapng, tlsSteps } from './capture.case.js';
import type { ConnectionAnalysis, ObservationItem } from './types.js';

const analyze = (chunks: readonly TlsStreamChunk[]): ConnectionAnalysis =>
  analyzeCapture(pcapng(conversation(tlsSteps(chunks), 8883))).connections[0]!;
const items = (c: ConnectionAnalysis, item: ObservationItem) => c.observations.filter((o) => o.item === item);
const hs = (type: number, body: Uint8Array) => record(22, handshake(type, body));

/** TLS 1.2 up to the server's first flight, without a CertificateRequest. */
async function serverFlight(): Promise<TlsStreamChunk[]> {
  const certs = await testCertificates();
  return [
    chunk('c2s', 1000, record(22, handshake(1, CLIENT_HELLO_12), 0x0301)),
    chunk(
      's2c',
      2000,
      hs(2, SERVER_HELLO_12),
      hs(11, certificateBody([certs.broker, certs.ca])),
      hs(12, SERVER_KEY_EXCHANGE),
      hs(14, new Uint8Array(0)),
    ),
  ];
}

test('a plaintext fatal alert: the refusal and its reason are exposed, the handshake failed', async () => {
  const chunks = [
    ...(await serverFlight()),
    chunk('c2s', 3000, hs(16, CLIENT_KEY_EXCHANGE), record(20, Uint8Array.of(1)), record(22, fill(40, 0xe1))),
    chunk('s2c', 4000, record(21, Uint8Array.of(2, 48))), // fatal unknown_ca
  ];
  const c = analyze(chunks);
  const [alert] = items(c, 'tls.alert');
  assert.equal(alert?.verdict, 'exposed');
  assert.equal(alert?.value, 'fatal unknown_ca');
  assert.equal(alert?.evidence[0]?.direction, 's2c');
  const [handshakeItem] = items(c, 'tls.handshake');
  assert.deepEqual([handshakeItem?.verdict, handshakeItem?.value], ['exposed', 'failed']);
  assert.deepEqual(c.tls?.handshake.alert, { by: 's2c', description: 'unknown_ca' });
});

test('TLS 1.2 without a client certificate: visible that none was asked for; identity hidden', async () => {
  const chunks = [
    ...(await serverFlight()),
    chunk('c2s', 3000, hs(16, CLIENT_KEY_EXCHANGE), record(20, Uint8Array.of(1)), record(22, fill(40, 0xe1))),
    chunk('s2c', 4000, record(20, Uint8Array.of(1)), record(22, fill(40, 0xe2))),
    chunk('c2s', 5000, record(23, fill(124, 0xa1))),
  ];
  const c = analyze(chunks);
  const [cert] = items(c, 'tls.client-certificate');
  assert.deepEqual([cert?.verdict, cert?.value], ['exposed', 'not requested, none sent']);
  assert.equal(c.verdict.identity, 'hidden');
  assert.equal(c.verdict.payload, 'hidden');
  assert.equal(c.tls?.alpnSelected, 'mqtt');
  assert.equal(items(c, 'tls.alpn')[0]?.verdict, 'exposed');
  assert.deepEqual(c.traffic?.groups, [], 'one record is no pattern');
});

test('an encrypted alert is partial; the records of each direction are listed with offsets', async () => {
  const certs = await testCertificates();
  const c = analyze(tls12Connection([certs.broker], [certs.device], { c2s: [10], s2c: [20] }));
  const [alert] = items(c, 'tls.alert');
  assert.deepEqual([alert?.verdict, alert?.value], ['partial', 'encrypted alert from the client']);
  const [r] = c.traffic!.records.c2s;
  assert.deepEqual([r?.recordLength, r?.plaintextLength], [34, 10]);
  assert.equal(items(c, 'tls.application-data')[0]?.evidence[0]?.offset, r?.offset);
});
