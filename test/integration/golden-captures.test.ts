// The golden wire captures (test/golden/wire/): real mosquitto_pub traffic to our broker, recorded
// by scripts/make-golden-captures.ts with what tshark read in each file. On every run our analyzer
// must read exactly those facts, and tshark, run again on the checked-in file, must still read
// them: the expectation is held to an independent dissector every time, not only when it was made.
// The TLS captures' key logs are proven by tshark decrypting the MQTT inside with them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import type { BytesView, ConnectionAnalysis } from '../../src/wire/analyze/index.js';
import { analyzeCapture } from '../../src/wire/analyze/index.js';
import { parseKeyLog } from '../../src/wire/tls/keylog.js';
import { GOLDEN, type GoldenSpec, goldenPath, PUBLISH } from './golden/captures.js';
import {
  clientRandom,
  fieldsWith,
  type GoldenExpectation,
  keylogOptions,
  type MqttFacts,
  tsharkFacts,
  tsharkWarnings,
} from './golden/tshark-facts.js';
import { fields, requireWiresharkTools } from './pcap/tshark.js';

/** Wireshark expert severities (epan/proto.h): PI_WARN and above mean something is wrong. */
const PI_WARN = 0x00600000;
const CHECKSUMS = ['-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE'];
/** A QoS 1 publish and a clean disconnect (MQTT 3.1.1 §4.3.2, MQTT 5.0 §4.3.2). */
const QOS1_FLOW = ['c2s CONNECT', 's2c CONNACK', 'c2s PUBLISH', 's2c PUBACK', 'c2s DISCONNECT'];
/** The secrets an NSS key log holds for one session (RFC 8446 §7.1 for TLS 1.3). */
const KEYLOG_LABELS = {
  'tlsv1.2': ['CLIENT_RANDOM'],
  'tlsv1.3': [
    'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
    'CLIENT_TRAFFIC_SECRET_0',
    'EXPORTER_SECRET',
    'SERVER_HANDSHAKE_TRAFFIC_SECRET',
    'SERVER_TRAFFIC_SECRET_0',
  ],
} as const;

before(() => requireWiresharkTools());

interface Golden {
  readonly file: string;
  readonly keys?: string;
  readonly expected: GoldenExpectation;
}

function load(spec: GoldenSpec): Golden {
  const expected = JSON.parse(
    readFileSync(goldenPath(`${spec.name}.expected.json`), 'utf8'),
  ) as GoldenExpectation;
  return {
    file: goldenPath(spec.file),
    ...(spec.tls && { keys: goldenPath(`${spec.name}.keys`) }),
    expected,
  };
}

function analyze(g: Golden): ConnectionAnalysis {
  const a = analyzeCapture(readFileSync(g.file));
  assert.equal(a.format, g.expected.format);
  assert.equal(a.packets, g.expected.frames, 'the frames tshark counts');
  assert.deepEqual(a.notes, []);
  assert.equal(a.connections.length, 1);
  const c = a.connections[0]!;
  assert.equal(c.server.port, g.expected.serverPort);
  assert.deepEqual(c.notes, []);
  return c;
}

const item = (c: ConnectionAnalysis, name: string) => {
  const found = c.observations.filter((o) => o.item === name);
  assert.equal(found.length, 1, `${name}: ${JSON.stringify(found)}`);
  return found[0]!;
};

/** The bytes of a BytesView as hex; it must hold all of them. */
function hex(view: BytesView | undefined): string | undefined {
  if (view === undefined) return undefined;
  assert.equal(view.truncated, false);
  return view.hex ?? Buffer.from(view.text ?? '', 'utf8').toString('hex');
}

/**
 * Records under the session keys, from tshark's record list: TLS 1.3 protects exactly the type-23
 * records (RFC 8446 §5.2); TLS 1.2 every record after a direction's ChangeCipherSpec (RFC 5246 §7.1).
 */
function protectedRecords(e: GoldenExpectation, version: 'tlsv1.2' | 'tlsv1.3'): number {
  let n = 0;
  for (const dir of ['c2s', 's2c'] as const) {
    let afterCcs = false;
    for (const [type] of e.tls!.records[dir]) {
      if (type === 23 || (version === 'tlsv1.2' && afterCcs)) n++;
      if (type === 20) afterCcs = true;
    }
  }
  return n;
}

/** "c2s CONNECT"… as our analyzer counts packets: by mqtt-packet's cmd name, per direction. */
function counts(messages: readonly string[]): Record<'c2s' | 's2c', Record<string, number>> {
  const out: Record<'c2s' | 's2c', Record<string, number>> = { c2s: {}, s2c: {} };
  for (const m of messages) {
    const [direction, type] = m.split(' ') as ['c2s' | 's2c', string];
    const cmd = type.toLowerCase();
    out[direction][cmd] = (out[direction][cmd] ?? 0) + 1;
  }
  return out;
}

/** What mosquitto_pub was asked to send, whoever read it (tshark in clear, or decrypting). */
function assertSent(spec: GoldenSpec, m: MqttFacts | undefined): void {
  assert.ok(m);
  assert.equal(m.protocolVersion, spec.mqttVersion);
  assert.equal(m.clientId, PUBLISH.clientId);
  assert.equal(m.username, spec.credentials ? PUBLISH.username : undefined);
  assert.equal(m.password, spec.credentials ? PUBLISH.password : undefined);
  assert.equal(m.topic, PUBLISH.topic);
  assert.equal(m.qos, PUBLISH.qos);
  assert.deepEqual(m.userProperties, spec.userProperty ? [[...PUBLISH.userProperty]] : undefined);
  assert.deepEqual(m.messages, QOS1_FLOW);
  const reading = JSON.parse(Buffer.from(m.payloadHex, 'hex').toString('utf8')) as Record<string, unknown>;
  assert.deepEqual({ ...reading, timestamp: undefined }, { ...PUBLISH.reading, timestamp: undefined });
  assert.match(String(reading.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
}

/** tshark's expert infos on every frame stay below a warning (checksums checked too). */
function assertNoExpertWarning(file: string, options: readonly string[]): void {
  const rows = fieldsWith(
    file,
    [...CHECKSUMS, ...options],
    ['frame.number', '_ws.expert.severity'],
    '_ws.expert',
  );
  for (const [frame, severities] of rows)
    for (const s of (severities ?? '').split(',').filter((x) => x !== ''))
      assert.ok(Number(s) < PI_WARN, `frame ${frame}: expert severity 0x${Number(s).toString(16)}`);
}

for (const spec of GOLDEN) {
  describe(`golden ${spec.file}`, () => {
    test('tshark reads it (and with the key log, decrypts it) without a word on stderr or an expert warning', () => {
      const g = load(spec);
      assert.deepEqual(tsharkWarnings(g.file), []);
      assertNoExpertWarning(g.file, []);
      if (g.keys !== undefined) {
        assert.deepEqual(tsharkWarnings(g.file, keylogOptions(g.keys)), []);
        assertNoExpertWarning(g.file, keylogOptions(g.keys));
      }
    });

    test('tshark, run now on the checked-in file, reads exactly what expected.json records', () => {
      const g = load(spec);
      assert.deepEqual(tsharkFacts(spec, g.file, g.keys), g.expected);
    });

    test('expected.json holds what mosquitto_pub was asked to send', () => {
      const { expected } = load(spec);
      assert.equal(expected.file, spec.file);
      assert.equal(expected.serverPort, spec.serverPort);
      if (spec.tls === undefined) return assertSent(spec, expected.mqtt);
      assertSent(spec, expected.decrypted);
      const tls = expected.tls!;
      assert.equal(tls.version, spec.tls === 'tlsv1.2' ? '1.2' : '1.3');
      // TLS 1.3 (RFC 8446 §4.4.2) sends the Certificate encrypted; TLS 1.2 (RFC 5246 §7.4.6) in clear.
      assert.deepEqual(
        tls.clientCertificate,
        spec.tls === 'tlsv1.2'
          ? { visible: true, subject: `O=Ciel Lab, CN=${PUBLISH.clientId}`, subjectCn: PUBLISH.clientId }
          : { visible: false },
      );
    });

    if (spec.tls === undefined) {
      test('our analyzer reads the same client id, credentials, topic, payload and packets', () => {
        const g = load(spec);
        const e = g.expected.mqtt!;
        const c = analyze(g);
        assert.equal(c.protocol, 'mqtt');
        assert.deepEqual([c.verdict.payload, c.verdict.identity], ['exposed', 'exposed']);
        const m = c.mqtt!;
        assert.equal(m.protocolLevel, e.protocolVersion);
        assert.equal(m.connect?.clientId, e.clientId);
        assert.equal(m.connect?.username, e.username);
        assert.equal(hex(m.connect?.password), e.password && Buffer.from(e.password).toString('hex'));
        assert.equal(item(c, 'mqtt.client-id').value, e.clientId);
        if (e.password !== undefined) {
          assert.equal(item(c, 'mqtt.username').value, e.username);
          assert.deepEqual(
            [item(c, 'mqtt.password').verdict, item(c, 'mqtt.password').value],
            ['exposed', e.password],
          );
        }
        assert.deepEqual(
          m.publishes.map((p) => [p.direction, p.topic, p.qos, hex(p.payload)]),
          [['c2s', e.topic, e.qos, e.payloadHex]],
        );
        assert.deepEqual(m.packets, counts(e.messages));
        assert.equal(m.omittedMessages, 0);
      });
    } else {
      test('our analyzer reads the same version, suite, SNI, records and client certificate', () => {
        const g = load(spec);
        const e = g.expected.tls!;
        const c = analyze(g);
        assert.equal(c.protocol, 'tls');
        const t = c.tls!;
        assert.equal(t.version, e.version);
        assert.equal(t.cipherSuite, e.cipherSuite.name);
        assert.equal(t.sni ?? null, e.sni);
        assert.equal(t.handshake.status, 'complete');
        assert.deepEqual(
          t.records,
          { c2s: e.records.c2s.length, s2c: e.records.s2c.length },
          'records per direction',
        );
        // Our traffic view lists the type-23 records: application data, and TLS 1.3's encrypted handshake.
        const appData = (dir: 'c2s' | 's2c') =>
          e.records[dir].filter(([type]) => type === 23).map(([, n]) => n);
        assert.deepEqual(
          {
            c2s: c.traffic!.records.c2s.map((r) => r.recordLength),
            s2c: c.traffic!.records.s2c.map((r) => r.recordLength),
          },
          { c2s: appData('c2s'), s2c: appData('s2c') },
        );
        assert.deepEqual(c.traffic!.omittedRecords, { c2s: 0, s2c: 0 });
        assert.equal(c.verdict.payload, 'hidden');
        const cert = item(c, 'tls.client-certificate');
        if (e.clientCertificate.visible) {
          assert.equal(t.clientCertificate.visible, true);
          assert.equal(t.clientCertificate.certificate?.subject, e.clientCertificate.subject);
          assert.equal(t.clientCertificate.certificate?.subjectCn, e.clientCertificate.subjectCn);
          assert.equal(cert.verdict, 'exposed');
          assert.equal(c.verdict.identity, 'exposed');
        } else {
          assert.equal(t.clientCertificate.visible, false);
          assert.equal(t.clientCertificate.certificate, undefined);
          assert.equal(cert.verdict, 'hidden');
          assert.equal(c.verdict.identity, 'hidden');
        }
      });

      test('our decryptor, with the .keys file, reads the MQTT tshark decrypts (and the TLS 1.3 client certificate)', () => {
        const g = load(spec);
        const e = g.expected.decrypted!;
        const keyLog = parseKeyLog(readFileSync(g.keys!, 'utf8'), g.keys);
        const a = analyzeCapture(readFileSync(g.file), { keyLog });
        assert.deepEqual(a.keyLog, { sessions: 1, decryptedConnections: 1 });
        const c = a.connections[0]!;
        const d = c.decrypted!;
        assert.equal(d.status, 'decrypted', d.detail);
        assert.deepEqual(d.records, { decrypted: protectedRecords(g.expected, spec.tls!), failed: 0 });
        const m = d.mqtt!;
        assert.equal(m.protocolLevel, e.protocolVersion);
        assert.equal(m.connect?.clientId, e.clientId);
        assert.deepEqual(
          m.publishes.map((p) => [p.direction, p.topic, p.qos, hex(p.payload)]),
          [['c2s', e.topic, e.qos, e.payloadHex]],
        );
        assert.deepEqual(m.packets, counts(e.messages));
        // Under TLS 1.3 the certificate the eavesdropper could not see is read from its encrypted record.
        if (spec.tls === 'tlsv1.3') assert.equal(d.clientCertificate?.subjectCn, 'm5go-01');
        else assert.equal(d.clientCertificate, undefined);
        // The verdicts stay the eavesdropper's: a key log is not something a passive observer has.
        assert.equal(c.verdict.payload, 'hidden');
      });

      test("the .keys file is this session's key log: without it tshark reads no MQTT, with it the PUBLISH", () => {
        const g = load(spec);
        const random = clientRandom(g.file);
        const lines = readFileSync(g.keys!, 'utf8')
          .split('\n')
          .filter((l) => l !== '');
        assert.deepEqual(
          lines.map((l) => l.split(' ')[1]),
          lines.map(() => random),
          "every line names the capture's client random",
        );
        assert.deepEqual(lines.map((l) => l.split(' ')[0]).sort(), [...KEYLOG_LABELS[spec.tls!]]);
        assert.deepEqual(fields(g.file, ['frame.number'], 'mqtt'), [], 'no MQTT without the keys');
        const publish = fieldsWith(
          g.file,
          keylogOptions(g.keys!),
          ['mqtt.clientid', 'mqtt.topic', 'mqtt.msg'],
          'mqtt.msgtype == 1 || mqtt.msgtype == 3',
        );
        const e = g.expected.decrypted!;
        assert.deepEqual(publish, [
          [e.clientId, '', ''],
          ['', e.topic, e.payloadHex],
        ]);
      });
    }
  });
}
