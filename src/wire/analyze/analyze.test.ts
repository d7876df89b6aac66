import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { testCertificates } from '../tls/certs.case.js';
import { tls12Connection, tls13Connection } from '../tls/golden.case.js';
import { parseKeyLog } from '../tls/keylog.js';
import { analyzeCapture } from './analyze.js';
import { mulberry32 as prng } from '../../../test/helpers/prng.js';
import {
  conversation,
  mixedConversations,
  mqtt,
  pcap,
  pcapng,
  READING,
  type Step,
  step1Session,
  T0,
  tlsSteps,
} from './capture.case.js';
import type { ConnectionAnalysis, ObservationItem } from './types.js';

const only = (bytes: Uint8Array): ConnectionAnalysis => {
  const a = analyzeCapture(bytes);
  assert.equal(a.connections.length, 1);
  return a.connections[0]!;
};
const items = (c: ConnectionAnalysis, item: ObservationItem) => c.observations.filter((o) => o.item === item);
const one = (c: ConnectionAnalysis, item: ObservationItem) => {
  const found = items(c, item);
  assert.equal(found.length, 1, `${item}: ${found.length} observations`);
  return found[0]!;
};

test('Step 1 plaintext MQTT: client id, username, password, will, topics and payloads are exposed', () => {
  const a = analyzeCapture(pcapng(conversation(step1Session())));
  assert.equal(a.format, 'pcapng');
  assert.deepEqual(a.notes, []);
  const c = a.connections[0]!;
  assert.equal(c.protocol, 'mqtt');
  assert.deepEqual(c.notes, []);
  assert.deepEqual(
    { payload: c.verdict.payload, identity: c.verdict.identity, metadata: c.verdict.metadata },
    { payload: 'exposed', identity: 'exposed', metadata: 'exposed' },
  );
  assert.equal(one(c, 'mqtt.protocol').value, 'MQTT 3.1.1 (protocol MQTT, level 4)');
  assert.equal(one(c, 'mqtt.client-id').value, 'm5go-01');
  assert.equal(one(c, 'mqtt.username').value, 'dupont');
  const password = one(c, 'mqtt.password');
  assert.equal(password.verdict, 'exposed');
  assert.equal(password.value, 's3cret!');
  assert.equal(one(c, 'mqtt.will').value, 'm5go/status: offline');
  assert.equal(one(c, 'mqtt.connack').value, '0 accepted');
  assert.equal(one(c, 'mqtt.subscribe').value, 'm5go/cmd/# (QoS 1)');
  assert.equal(one(c, 'mqtt.suback').value, '1');
  const publishes = items(c, 'mqtt.publish');
  assert.equal(publishes.length, 4);
  assert.ok(
    publishes.every((p) => p.verdict === 'exposed' && p.value === `m5go/env: ${READING}`),
    JSON.stringify(publishes),
  );
  // The view keeps the structure, the evidence says where each item was read.
  const v = c.mqtt!;
  assert.equal(v.protocolLevel, 4);
  assert.deepEqual(v.connect?.password, { bytes: 7, text: 's3cret!', truncated: false });
  assert.deepEqual(
    v.publishes.map((p) => [p.topic, p.qos, p.retain, p.messageId, p.payload.text]),
    [
      ['m5go/env', 0, false, undefined, READING],
      ['m5go/env', 0, false, undefined, READING],
      ['m5go/env', 0, false, undefined, READING],
      ['m5go/env', 1, true, 9, READING],
    ],
  );
  assert.deepEqual(v.packets, {
    c2s: { connect: 1, subscribe: 1, publish: 4, disconnect: 1 },
    s2c: { connack: 1, suback: 1, puback: 1 },
  });
  const connect = v.connect!.evidence;
  assert.deepEqual(connect, { direction: 'c2s', timeUs: T0 + 1000, offset: 0, length: connect.length });
  const connectLength = mqtt({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clientId: 'm5go-01',
    username: 'dupont',
    password: Buffer.from('s3cret!'),
    clean: true,
    keepalive: 60,
    will: { topic: 'm5go/status', payload: Buffer.from('offline'), qos: 1, retain: true },
  }).length;
  assert.equal(connect.length, connectLength);
  assert.deepEqual(
    v.publishes.map((p) => (p.evidence.timeUs - T0) / 1000),
    [1000, 3000, 5000, 6000],
  );
  assert.equal(
    v.publishes[1]!.evidence.offset,
    v.publishes[0]!.evidence.offset + v.publishes[0]!.evidence.length,
  );
  // Endpoints and sizes are there too, as for any connection.
  assert.equal(one(c, 'tcp.endpoints').value, '10.0.0.2:50000 → 10.0.0.1:1883');
  assert.equal(
    c.bytes.c2s,
    c.mqtt!.publishes.at(-1)!.evidence.offset + c.mqtt!.publishes.at(-1)!.evidence.length + 2,
  );
});

test('MQTT 5: the protocol level from CONNECT makes the server side decode as v5 (CONNACK reason code)', () => {
  const c = only(
    pcap(
      conversation([
        [
          'c2s',
          1,
          mqtt(
            {
              cmd: 'connect',
              protocolId: 'MQTT',
              protocolVersion: 5,
              clientId: 'sub-1',
              clean: true,
              keepalive: 30,
            },
            5,
          ),
        ],
        ['s2c', 2, mqtt({ cmd: 'connack', reasonCode: 0x86, sessionPresent: false }, 5)],
        ['c2s', 3, mqtt({ cmd: 'disconnect', reasonCode: 0 }, 5)],
      ]),
    ),
  );
  assert.equal(c.mqtt?.protocolLevel, 5);
  assert.equal(one(c, 'mqtt.connack').value, '134 bad username or password');
  assert.equal(one(c, 'mqtt.disconnect').value, '0 success');
  assert.equal(c.verdict.identity, 'exposed');
  assert.deepEqual(c.notes, []);
});

test('a malformed MQTT stream is a note, not an exception; what came before is still reported', () => {
  const garbage = Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01); // remaining length of 5 bytes
  const c = only(
    pcapng(
      conversation([
        [
          'c2s',
          1,
          mqtt({
            cmd: 'connect',
            protocolId: 'MQTT',
            protocolVersion: 4,
            clientId: 'm5go-01',
            clean: true,
            keepalive: 60,
          }),
        ],
        ['s2c', 2, mqtt({ cmd: 'connack', returnCode: 0, sessionPresent: false })],
        ['c2s', 3, garbage],
        [
          'c2s',
          4,
          mqtt({ cmd: 'publish', topic: 'never/read', payload: 'x', qos: 0, retain: false, dup: false }),
        ],
      ]),
    ),
  );
  assert.equal(c.protocol, 'mqtt');
  assert.equal(one(c, 'mqtt.client-id').value, 'm5go-01');
  assert.equal(items(c, 'mqtt.publish').length, 0);
  const note = c.notes.find((n) => n.direction === 'c2s');
  assert.match(note?.what ?? '', /ERR_MQTT_MALFORMED/);
  assert.equal(note?.offset, c.mqtt!.connect!.evidence.length);
});

test('random bytes that are neither TLS nor MQTT: protocol unknown, payload exposed', () => {
  const http = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  const c = only(pcapng(conversation([['c2s', 1, http]], 80)));
  assert.equal(c.protocol, 'unknown');
  assert.equal(c.verdict.payload, 'exposed');
  assert.equal(one(c, 'payload').value, `${http.length} bytes in clear`);
  assert.match(
    one(c, 'payload').detail,
    /^not TLS \(first bytes 474554202f: content type 71 is not 20–24\) and not MQTT/,
  );
});

test('a connection that carried nothing: protocol empty', () => {
  const c = only(pcapng(conversation([])));
  assert.equal(c.protocol, 'empty');
  assert.equal(c.verdict.payload, 'hidden');
  assert.equal(c.verdict.metadata, 'exposed');
});

test('TLS 1.2 mutual TLS: the device certificate is exposed, the payload hidden, sizes give it away', async () => {
  const certs = await testCertificates();
  const chunks = tls12Connection([certs.broker, certs.ca], [certs.device], {
    c2s: [64, 64, 64, 64],
    s2c: [4],
  });
  const c = only(pcapng(conversation(tlsSteps(chunks), 8883)));
  assert.equal(c.protocol, 'tls');
  assert.deepEqual(c.notes, []);
  assert.equal(c.verdict.payload, 'hidden');
  assert.equal(c.verdict.identity, 'exposed');
  assert.equal(one(c, 'tls.version').value, 'TLS 1.2');
  assert.equal(one(c, 'tls.sni').value, 'localhost');
  const client = one(c, 'tls.client-certificate');
  assert.equal(client.verdict, 'exposed');
  assert.match(client.value ?? '', /CN=m5go-01/);
  assert.equal(c.tls?.clientCertificate.certificate?.subjectCn, 'm5go-01');
  assert.equal(c.tls?.clientCertificate.certificate?.serial, certs.deviceSerial);
  assert.match(one(c, 'tls.server-certificate').value ?? '', /CN=localhost.*issuer.*CN=Test CA/);
  assert.equal(one(c, 'tls.application-data').verdict, 'hidden');
  assert.equal(c.tls?.aeadOverhead, 24);
  assert.deepEqual(
    c.traffic?.records.c2s.map((r) => [r.recordLength, r.plaintextLength]),
    [
      [88, 64],
      [88, 64],
      [88, 64],
      [88, 64],
    ],
  );
  const group = c.traffic!.groups[0]!;
  assert.equal(group.direction, 'c2s');
  assert.equal(group.count, 4);
  assert.equal(group.periodic, true);
  assert.equal(group.plaintextLength?.median, 64);
  assert.match(one(c, 'traffic.pattern').detail, /≈ 64 bytes of plaintext.*every 1\.0 ms.*inference/);
});

test('TLS 1.3: certificates hidden, identity hidden, plaintext sizes as upper bounds', () => {
  const c = only(pcapng(conversation(tlsSteps(tls13Connection({ c2s: [64, 64, 64], s2c: [] })), 8883)));
  assert.equal(c.tls?.version, '1.3');
  assert.equal(c.verdict.identity, 'hidden');
  assert.equal(c.verdict.payload, 'hidden');
  assert.equal(one(c, 'tls.client-certificate').verdict, 'hidden');
  assert.equal(one(c, 'tls.server-certificate').verdict, 'hidden');
  assert.equal(one(c, 'tls.handshake').verdict, 'partial', 'the 1.3 outcome is inferred');
  assert.equal(c.traffic?.plaintextIsUpperBound, true);
  const group = c.traffic!.groups.find((g) => g.periodic)!;
  assert.deepEqual([group.count, group.recordLength.median, group.plaintextLength?.median], [3, 81, 64]);
  assert.match(group.inference, /≤ 64 bytes of plaintext/);
});

test('a capture with a missing segment: the direction is read up to the gap, with a note', () => {
  const full = conversation(step1Session());
  const second = full.events.find((e) => e.type === 'data' && e.timestampUs === T0 + 3_000_000);
  assert.ok(second?.type === 'data', 'the second PUBLISH');
  const c = only(dropFrame(pcapng(full), second.data));
  assert.equal(c.mqtt?.publishes.length, 1, 'only the PUBLISH before the gap');
  assert.ok(
    c.notes.some((n) => n.direction === 'c2s' && /not captured/.test(n.what)),
    JSON.stringify(c.notes),
  );
  assert.equal(c.mqtt?.packets.s2c.puback, 1, 'the other direction is read to its end');
});

test('a file that is not a capture is ERR_PCAP_MALFORMED; unknown options are refused', () => {
  assert.throws(
    () => analyzeCapture(new Uint8Array(16)),
    (e) => isLabError(e, 'ERR_PCAP_MALFORMED'),
  );
  assert.throws(
    () => analyzeCapture(pcapng(conversation([])), { maxMesages: 1 } as never),
    (e) => isLabError(e, 'ERR_OPTIONS_UNKNOWN_KEY'),
  );
});

test('maxMessages: PUBLISH packets past the limit are counted, not listed', () => {
  const c = analyzeCapture(pcapng(conversation(step1Session())), { maxMessages: 2 }).connections[0]!;
  assert.equal(c.mqtt?.publishes.length, 1, 'one subscription filter and one PUBLISH');
  assert.equal(c.mqtt?.omittedMessages, 3);
  assert.ok(
    c.notes.some((n) => /3 more messages/.test(n.what)),
    JSON.stringify(c.notes),
  );
});

/** The pcapng without the frame carrying the second copy of `payload`. */
function dropFrame(file: Uint8Array, payload: Uint8Array): Uint8Array {
  const hay = Buffer.from(file);
  const first = hay.indexOf(Buffer.from(payload));
  const at = hay.indexOf(Buffer.from(payload), first + 1); // the second copy: the PUBLISHes are alike
  assert.ok(at > 0, 'payload found twice');
  // EPB: type(4) length(4) … ; walk blocks to find the one containing `at`.
  let off = 0;
  while (off < hay.length) {
    const len = hay.readUInt32LE(off + 4);
    if (at >= off && at < off + len)
      return Uint8Array.from(Buffer.concat([hay.subarray(0, off), hay.subarray(off + len)]));
    off += len;
  }
  throw new Error('frame not found');
}

test('400 random and mutated connections: the analysis never throws and always gives a verdict', () => {
  const rand = prng(42);
  const sessions = [step1Session(), tlsSteps(tls13Connection({ c2s: [64, 64, 64], s2c: [4] }))];
  for (let i = 0; i < 400; i++) {
    const steps = sessions[i % 2]!.map((s): Step => {
      if (s[0] === 'close') return s;
      const bytes = new Uint8Array(s[2]);
      for (let k = 0; k < 3; k++)
        if (rand() < 0.3) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      return [s[0], s[1], rand() < 0.1 ? bytes.map(() => Math.floor(rand() * 256)) : bytes];
    });
    const c = only(pcapng(conversation(steps)));
    assert.equal(c.verdict.metadata, 'exposed');
    assert.ok(['mqtt', 'tls', 'unknown'].includes(c.protocol), c.protocol);
  }
});

/** Paths of every byte view (or buffer) reachable from `v`. */
function byteViews(v: unknown, path = '', seen = new Set<object>()): string[] {
  if (typeof v !== 'object' || v === null || seen.has(v)) return [];
  seen.add(v);
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return [path];
  return Object.entries(v).flatMap(([k, x]) => byteViews(x, `${path}.${k}`, seen));
}

test('an analysis keeps no view of the capture or of its streams (their buffer is reused connection after connection)', async () => {
  const certs = await testCertificates();
  const golden = join(import.meta.dirname, '../../../test/golden/wire');
  const withKeys = ['mosquitto-pub-tls12', 'mosquitto-pub-tls13'].map((name) => ({
    bytes: new Uint8Array(readFileSync(join(golden, `${name}.pcap`))),
    keyLog: parseKeyLog(readFileSync(join(golden, `${name}.keys`), 'utf8'), name),
  }));
  const { tls12, step1, tls13 } = mixedConversations(certs);
  const mixed = pcap(tls12, step1, tls13);
  for (const a of [
    analyzeCapture(mixed),
    ...withKeys.map((k) => analyzeCapture(k.bytes, { keyLog: k.keyLog })),
  ]) {
    assert.deepEqual(byteViews(a), []);
    assert.ok(a.connections.length > 0);
  }
  assert.ok(
    withKeys.every(
      (k) => (analyzeCapture(k.bytes, { keyLog: k.keyLog }).keyLog?.decryptedConnections ?? 0) > 0,
    ),
  );
  // Each connection reads as it does alone, whatever was analyzed before it.
  const alone = [tls12, step1, tls13].map((c) => only(pcap(c)));
  assert.deepEqual(
    analyzeCapture(mixed).connections.map((c) => ({ ...c, index: 0 })),
    alone.map((c) => ({ ...c, index: 0 })),
  );
});
