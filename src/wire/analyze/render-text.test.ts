import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeCapture } from './analyze.js';
import { conversation, mqtt, pcapng, READING, step1Session, type Step } from './capture.case.js';
import { evidenceText, renderAnalysisText } from './render-text.js';

test('the text report: a header, then per connection its verdict and every item with evidence', () => {
  const text = renderAnalysisText(analyzeCapture(pcapng(conversation(step1Session()))), 'step1.pcapng');
  const lines = text.split('\n');
  assert.equal(lines[0], 'step1.pcapng: pcapng, 27 packets, 27 TCP segments, 1 TCP connection');
  assert.equal(
    lines[2],
    'Connection 0: 10.0.0.2:50000 → 10.0.0.1:1883, plaintext MQTT 3.1.1 (2026-01-01T00:00:00.000Z, 6.0 s)',
  );
  assert.equal(lines[3], '  verdict: payload EXPOSED, identity EXPOSED, metadata EXPOSED');
  assert.ok(
    lines.includes('  exposed  password         s3cret!'),
    'the password in the clear, under its verdict',
  );
  const publish = lines.findIndex((l) => l.startsWith('  exposed  PUBLISH '));
  assert.equal(lines[publish], `  exposed  PUBLISH          m5go/env: ${READING}`);
  assert.match(lines[publish + 1]!, /QoS 0, retain no, 62-byte payload \[c2s \+1\.000 s, 74 bytes at 77\]$/);
  assert.ok(text.endsWith('\n'), 'one trailing newline');
});

test('many PUBLISH lines are cut in the text (the JSON has them), notes are listed', () => {
  const steps: Step[] = [
    [
      'c2s',
      0,
      mqtt({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId: 'c',
        clean: true,
        keepalive: 0,
      }),
    ],
    ...Array.from({ length: 25 }, (_, i): Step => [
      'c2s',
      1 + i,
      mqtt({ cmd: 'publish', topic: 't', payload: `${i}`, qos: 0, retain: false, dup: false }),
    ]),
    ['c2s', 30, Uint8Array.of(0x30, 0x05, 0x00)], // ends inside a packet
  ];
  const text = renderAnalysisText(analyzeCapture(pcapng(conversation(steps))));
  assert.equal(text.match(/^ {2}exposed {2}PUBLISH /gm)?.length, 20);
  assert.match(text, /… 5 more PUBLISH\/SUBSCRIBE not shown/);
  assert.match(text, /notes:\n {4}c2s @\d+: stream ends inside an MQTT packet \(3 bytes\)/);
});

test('evidenceText: direction, time from the connection start, size and offset', () => {
  assert.equal(
    evidenceText({ direction: 's2c', timeUs: 2_500_000, offset: 12, length: 4 }, 500_000),
    's2c +2.000 s, 4 bytes at 12',
  );
});
