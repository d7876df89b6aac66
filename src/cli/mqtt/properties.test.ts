import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProperties, parseSessionExpiry } from './properties.js';

const PUB = ['connect', 'publish', 'disconnect', 'will'] as const;
const usage = { code: 'mqtts-lab.usage', exitCode: 2 };

test('one flat -D list splits into properties per packet, typed as MQTT.js wants them', () => {
  const p = parseProperties(
    [
      'publish',
      'user-property',
      'site',
      'lab',
      'PUBLISH',
      'content-type',
      'text/plain',
      'publish',
      'message-expiry-interval',
      '60',
      'publish',
      'correlation-data',
      'abc',
      'publish',
      'payload-format-indicator',
      '1',
      'connect',
      'session-expiry-interval',
      '3600',
      'will',
      'will-delay-interval',
      '5',
      'disconnect',
      'user-property',
      'why',
      'done',
    ],
    PUB,
  );
  assert.deepEqual(p.publish, {
    userProperties: { site: 'lab' },
    contentType: 'text/plain',
    messageExpiryInterval: 60,
    correlationData: Buffer.from('abc'),
    payloadFormatIndicator: true,
  });
  assert.deepEqual(p.connect, { sessionExpiryInterval: 3600 });
  assert.deepEqual(p.will, { willDelayInterval: 5 });
  assert.deepEqual(p.disconnect, { userProperties: { why: 'done' } });
  assert.ok(Object.isFrozen(p) && Object.isFrozen(p.publish));
});

test('a repeated user property name keeps every value (MQTT 5 allows duplicates)', () => {
  const p = parseProperties(
    ['publish', 'user-property', 'k', 'a', 'publish', 'user-property', 'k', 'b'],
    PUB,
  );
  assert.deepEqual(p.publish, { userProperties: { k: ['a', 'b'] } });
});

test('mistakes are usage errors that say what is wrong', () => {
  const cases: [string[], RegExp][] = [
    [['publish'], /not enough arguments/],
    [['publish', 'content-type'], /needs a value/],
    [['publish', 'user-property', 'k'], /name and a value/],
    [['publosh', 'content-type', 'x'], /invalid command "publosh"/],
    [['publish', 'colour', 'x'], /invalid property name "colour"/],
    [['connect', 'content-type', 'x'], /content-type property not allowed for connect/],
    [['puback', 'user-property', 'a', 'b'], /not supported for puback/],
    [['subscribe', 'user-property', 'a', 'b'], /sends no SUBSCRIBE/],
    [['publish', 'message-expiry-interval', '-1'], /out of range/],
    [['publish', 'topic-alias', '65536'], /out of range/],
    [['publish', 'payload-format-indicator', '2'], /out of range/],
    [['publish', 'content-type', 'a', 'publish', 'content-type', 'b'], /given twice/],
  ];
  for (const [values, why] of cases)
    assert.throws(() => parseProperties(values, PUB), { ...usage, message: why }, values.join(' '));
});

test('-x: seconds, or -1 / 4294967295 / ∞ for a session that never expires', () => {
  assert.equal(parseSessionExpiry('30'), 30);
  for (const never of ['-1', '4294967295', '∞']) assert.equal(parseSessionExpiry(never), 0xffffffff);
  assert.throws(() => parseSessionExpiry('4294967296'), usage);
  assert.throws(() => parseSessionExpiry('soon'), usage);
});
