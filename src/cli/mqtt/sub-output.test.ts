import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFormat } from './format.js';
import { type ReceivedMessage, stampOf } from './message.js';
import { type GateOptions, MessageGate, type PrintOptions, printMessage } from './sub-output.js';

const m = (topic: string, retain = false, payload = 'x'): ReceivedMessage => ({
  topic,
  payload: Buffer.from(payload),
  qos: 0,
  retain,
  mid: 0,
});
const gate = (o: Partial<GateOptions>, random?: () => number) =>
  new MessageGate(
    {
      noRetained: false,
      retainedOnly: false,
      filterOut: [],
      removeRetained: false,
      count: 0,
      chance: 1,
      ...o,
    },
    random,
  );

test('-C counts printed messages and stops at the count; later messages are ignored', () => {
  const g = gate({ count: 2 });
  assert.deepEqual(
    ['a', 'b', 'c'].map((t) => g.decide(m(t))),
    [
      { print: true, clearRetained: false, stop: false },
      { print: true, clearRetained: false, stop: true },
      { print: false, clearRetained: false, stop: false },
    ],
  );
});

test('-R skips retained, -T filters topics (not counted), --remove-retained clears what it sees', () => {
  const g = gate({ noRetained: true, filterOut: ['bbc/radio3', 'x/#'], count: 1 });
  assert.equal(g.decide(m('bbc/tv', true)).print, false);
  assert.equal(g.decide(m('bbc/radio3')).print, false);
  assert.equal(g.decide(m('x/y/z')).print, false);
  assert.deepEqual(g.decide(m('bbc/tv')), { print: true, clearRetained: false, stop: true });
  assert.equal(gate({ removeRetained: true }).decide(m('a', true)).clearRetained, true);
  assert.equal(gate({ removeRetained: true, filterOut: ['a'] }).decide(m('a', true)).clearRetained, false);
});

test('--retained-only prints retained messages and stops at the first fresh one', () => {
  const g = gate({ retainedOnly: true });
  assert.equal(g.decide(m('a', true)).print, true);
  assert.deepEqual(g.decide(m('b')), { print: false, clearRetained: false, stop: true });
  assert.equal(g.decide(m('c', true)).print, false);
});

test('--random-filter draws per message, and a message it drops still counts for -C', () => {
  const draws = [0.9, 0.1];
  const g = gate({ chance: 0.5, count: 2 }, () => draws.shift() ?? 0);
  assert.deepEqual(
    [g.decide(m('a')).print, g.decide(m('b'))],
    [false, { print: true, clearRetained: false, stop: true }],
  );
});

test("default, -v, -N and -F output, mosquitto_sub's rules for empty payloads", () => {
  const o: PrintOptions = {
    verbose: false,
    noEol: false,
    format: undefined,
    pretty: false,
    json: false,
    warn: () => {},
  };
  const at = stampOf(new Date(0));
  const out = (msg: ReceivedMessage, over: Partial<PrintOptions> = {}) =>
    printMessage(msg, at, { ...o, ...over }).toString();
  assert.equal(out(m('t', false, 'hi')), 'hi\n');
  assert.equal(out(m('t', false, '')), '');
  assert.equal(out(m('t', false, 'hi'), { verbose: true }), 't hi\n');
  assert.equal(out(m('t', false, ''), { verbose: true }), 't (null)\n');
  assert.equal(out(m('t', false, ''), { verbose: true, noEol: true }), '');
  assert.equal(out(m('t', false, 'hi'), { noEol: true }), 'hi');
  assert.equal(out(m('t', true, 'hi'), { verbose: true, format: compileFormat('%r:%t') }), '1:t\n');
  assert.equal(JSON.parse(out(m('t', false, 'hi'), { json: true })).payload, 'hi');
});
