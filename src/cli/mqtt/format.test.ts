import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFormat, renderFormat } from './format.js';
import type { ReceivedMessage } from './message.js';
import { stampOf } from './message.js';
import { utcOffset } from './strftime.js';

const at = stampOf(new Date(2026, 4, 6, 21, 48, 0, 123));
const msg = (over: Partial<ReceivedMessage> = {}): ReceivedMessage => ({
  topic: 'm5go/env',
  payload: Buffer.from('21.5'),
  qos: 1,
  retain: false,
  mid: 7,
  ...over,
});
const render = (f: string, m = msg(), warn?: (l: string) => void) =>
  renderFormat(compileFormat(f), m, at, { ...(warn ? { warn } : {}) }).toString('latin1');

test('message fields: %t %p %q %r %l %m %x %X %%', () => {
  assert.equal(render('%t %p %q %r %l %m %x %X %%'), 'm5go/env 21.5 1 0 4 7 32312e35 32312E35 %');
  assert.equal(render('%r', msg({ retain: true })), '1');
});

test('width, zero padding, left alignment and precision follow printf', () => {
  assert.equal(render('[%10t]'), '[  m5go/env]');
  assert.equal(render('[%-10t]'), '[m5go/env  ]');
  assert.equal(render('[%.4t]'), '[m5go]');
  assert.equal(render('[%6.3t]'), '[   m5g]');
  assert.equal(render('[%05l]'), '[00004]');
  assert.equal(render('[%-05l]'), '[4    ]');
  // A width on the payload also cuts it, as mosquitto's write_payload does.
  assert.equal(render('[%2p]'), '[21]');
  assert.equal(render('[%6p]'), '[  21.5]');
});

test('escapes and strftime conversions', () => {
  assert.equal(render('a\\tb\\n\\\\\\0'), 'a\tb\n\\\0');
  assert.equal(render('@Y-@m-@d @H:@M:@S @@'), '2026-05-06 21:48:00 @');
  assert.equal(render('@N'), '123000000');
  assert.equal(render('%I'), `2026-05-06T21:48:00${utcOffset(at.date)}`);
  assert.equal(render('%U'), `${Math.floor(at.date.getTime() / 1000)}.123000000`);
});

test('MQTT 5 properties: present, absent (blank to the width), user properties in order', () => {
  const m = msg({
    properties: {
      contentType: 'application/json',
      messageExpiryInterval: 60,
      responseTopic: 'r/1',
      correlationData: Buffer.from('abc'),
      payloadFormatIndicator: true,
      userProperties: { site: 'lab', k: ['a', 'b'] },
    },
  });
  assert.equal(render('%C|%E|%R|%D|%F|%P', m), 'application/json|60|r/1|abc|1|site:lab k:a k:b');
  assert.equal(render('[%C][%3E][%R][%P]'), '[][   ][][]');
});

test('%j matches mosquitto_sub: tst shape, mid only above QoS 0, null for an empty payload', () => {
  const j = JSON.parse(render('%j')) as Record<string, unknown>;
  assert.match(j.tst as string, /^2026-05-06T21:48:00\.123000Z[+-]\d{4}$/);
  assert.deepEqual(
    { ...j, tst: 0 },
    { tst: 0, topic: 'm5go/env', qos: 1, retain: 0, payloadlen: 4, mid: 7, payload: '21.5' },
  );
  const empty = JSON.parse(render('%j', msg({ qos: 0, payload: Buffer.alloc(0) }))) as Record<
    string,
    unknown
  >;
  assert.equal(empty.payload, null);
  assert.equal('mid' in empty, false);
  const binary = JSON.parse(render('%j', msg({ payload: Buffer.from([0, 255]) }))) as Record<string, unknown>;
  assert.deepEqual(binary.payload, [0, 255]);
});

test('%J embeds a JSON payload, and warns (printing nothing) when it is not JSON', () => {
  const j = JSON.parse(render('%J', msg({ payload: Buffer.from('{"t": 21.5}') }))) as Record<string, unknown>;
  assert.deepEqual(j.payload, { t: 21.5 });
  const warnings: string[] = [];
  assert.equal(
    render('<%J>', msg({ payload: Buffer.from('nope') }), (l) => warnings.push(l)),
    '<>',
  );
  assert.deepEqual(warnings, ['Error: Message payload is not valid JSON on topic m5go/env.']);
});

test('a bad format is refused when parsed, with the reason', () => {
  for (const [f, why] of [
    ['%', /incomplete format/],
    ['%k', /invalid format specifier 'k'/],
    ['\\q', /invalid escape specifier 'q'/],
    ['\\', /incomplete escape/],
    ['@', /incomplete time/],
    ['@Q', /unsupported time specifier/],
  ] as const) {
    assert.throws(() => compileFormat(f), { code: 'commander.invalidArgument', message: why }, f);
  }
});
