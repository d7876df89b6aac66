import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeFailure, type FailureFacts } from './failure.js';

const facts = (over: Partial<FailureFacts>): FailureFacts => ({
  version: 4,
  tls: false,
  handshakeDone: false,
  connected: false,
  command: 'pub',
  ...over,
});
const err = (code: string, message = code) => Object.assign(new Error(message), { code });

// Lines and statuses as mosquitto_pub / mosquitto_sub 2.0.11 print and return them.
test('CONNACK refusals: the code is the exit status, the words are mosquitto’s', () => {
  assert.deepEqual(describeFailure(facts({ refusal: 5 })).lines, [
    'Connection error: Connection Refused: not authorised.',
    'Error: The connection was refused.',
  ]);
  assert.equal(describeFailure(facts({ refusal: 5 })).status, 5);
  const v5 = describeFailure(facts({ version: 5, refusal: 0x87 }));
  assert.deepEqual(
    [v5.status, v5.lines],
    [
      135,
      [
        'Connection error: Not authorized',
        'Error: A network protocol error occurred when communicating with the broker.',
      ],
    ],
  );
  assert.deepEqual(describeFailure(facts({ version: 5, refusal: 0x86, command: 'sub' })).lines, [
    'Connection error: Bad User Name or Password',
  ]);
  assert.match(
    describeFailure(facts({ version: 5, refusal: 0x84 })).lines[0] ?? '',
    /Try connecting to an MQTT v5 broker/,
  );
});

test('socket errors: "Error: Connection refused", exit 1', () => {
  const f = describeFailure(facts({ error: err('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1') }));
  assert.deepEqual([f.status, f.lines], [1, ['Error: Connection refused']]);
});

test('TLS: a failed handshake is "Unable to connect", a refusal after it is "connection lost" (7)', () => {
  const hs = describeFailure(facts({ tls: true, error: err('SELF_SIGNED_CERT_IN_CHAIN') }));
  assert.equal(hs.status, 1);
  assert.deepEqual(hs.lines[1], 'Unable to connect (A TLS error occurred.).');
  assert.match(hs.lines[0] ?? '', /^TLS error: SELF_SIGNED_CERT_IN_CHAIN: .*--cafile/);
  const after = describeFailure(
    facts({ tls: true, handshakeDone: true, error: err('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA') }),
  );
  assert.deepEqual([after.status, after.lines[1]], [7, 'Error: The connection was lost.']);
  const name = describeFailure(facts({ tls: true, error: err('ERR_TLS_CERT_ALTNAME_INVALID') }));
  assert.equal(name.lines[0], 'Error: host name verification failed.');
});

test('a connection that closes without a reason is lost (7)', () => {
  assert.deepEqual(describeFailure(facts({ connected: true })), {
    status: 7,
    lines: ['Error: The connection was lost.'],
    reason: { code: 'CONNECTION_LOST' },
  });
});
