import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionLines, logSince, readingWaitMs } from './mqtt-session.js';

const MOSQUITTO_LOG = [
  '1700000000: New connection from 127.0.0.1:40000 on port 8883.',
  "1700000000: Received PUBLISH from m5go-01 (d0, q0, r0, m0, 'm5go/env', ... (123 bytes))",
  '1700000000: OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed',
  '1700000000: Client <unknown> disconnected: Protocol error.',
  '1700000001: New connection from 127.0.0.1:40002 on port 8883.',
  '1700000001: Client <unknown> closed its connection.',
];

test('the lines of one connection: from its "New connection from" to the next, the ones about its fate', () => {
  assert.deepEqual(connectionLines(MOSQUITTO_LOG, 40000), [
    MOSQUITTO_LOG[0],
    MOSQUITTO_LOG[2],
    MOSQUITTO_LOG[3],
  ]);
  assert.deepEqual(connectionLines(MOSQUITTO_LOG, 40002), [MOSQUITTO_LOG[4], MOSQUITTO_LOG[5]]);
});

test("Mosquitto's one-line refusal at accept() has no port: every refusal line is kept", () => {
  const log = [
    '1700000000: Client connection from 127.0.0.1 failed: error:0A000086:SSL routines::certificate verify failed.',
  ];
  assert.deepEqual(connectionLines(log, 40000), log);
});

test('lines naming the client id are kept (an ACL denial at debug level)', () => {
  const log = [
    '1: New connection from 127.0.0.1:40000 on port 8883.',
    "1: Denied PUBLISH from acl-0a0b0c (d0, q1, r0, m1, 'm5go/env', ... (128 bytes))",
    "1: Received PUBLISH from m5go-01 (d0, q0, r0, m0, 'm5go/env', ... (123 bytes))",
  ];
  assert.deepEqual(connectionLines(log, 40000, 'acl-0a0b0c'), log.slice(0, 2));
});

test('logSince waits for a line that is still in the pipe, and no longer than asked', async () => {
  let text = 'old line\n';
  const mark = text.length;
  setTimeout(() => (text += 'late: OpenSSL Error\n'), 60);
  assert.deepEqual(await logSince(() => text, mark, /OpenSSL/, 1_000), ['late: OpenSSL Error']);
  const started = Date.now();
  assert.deepEqual(await logSince(() => text, text.length, /never/, 100), []);
  assert.ok(Date.now() - started < 500);
});

test('the wait for a next reading follows the publisher’s period, within 1–6 s', () => {
  const at = (ms: number) => ({
    deviceId: 'm5go-01',
    timestamp: new Date(1_700_000_000_000 + ms).toISOString(),
  });
  assert.equal(readingWaitMs([]), 3_250);
  assert.equal(readingWaitMs([at(0), at(200)]), 1_000);
  assert.equal(readingWaitMs([at(0), at(2_000)]), 3_250);
  assert.equal(readingWaitMs([at(0), at(60_000)]), 6_000);
});
