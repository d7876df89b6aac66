import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseSharedSubscription,
  topicMatches,
  type TopicRule,
  validateTopicFilter,
  validateTopicName,
} from './topic.js';
import { mulberry32 } from '../../../test/helpers/prng.js';

const ruleOfName = (name: string): TopicRule | undefined => validateTopicName(name)?.rule;
const ruleOfFilter = (filter: string): TopicRule | undefined => validateTopicFilter(filter)?.rule;

test('[MQTT-4.7.3-1] topic names and filters are at least one character long', () => {
  assert.equal(ruleOfName(''), 'MQTT-4.7.3-1');
  assert.equal(ruleOfFilter(''), 'MQTT-4.7.3-1');
  assert.equal(ruleOfName('/'), undefined);
  assert.equal(ruleOfFilter('/'), undefined);
});

test('[MQTT-3.3.2-2] a topic name carries no wildcard', () => {
  for (const name of ['#', '+', 'sport/+', 'sport/tennis/#', 'a+b', 'a#']) {
    assert.equal(ruleOfName(name), 'MQTT-3.3.2-2', name);
  }
  for (const name of ['sport/tennis/player1', 'sport', '/finance', 'a//b', 'a/', '$SYS/broker', ' ', 'a b']) {
    assert.equal(ruleOfName(name), undefined, name);
  }
});

test('[MQTT-4.7.3-2] no U+0000 in names or filters', () => {
  assert.equal(ruleOfName('a\u0000b'), 'MQTT-4.7.3-2');
  assert.equal(ruleOfFilter('a/\u0000/#'), 'MQTT-4.7.3-2');
});

test('[MQTT-4.7.3-3] at most 65535 UTF-8 bytes, counted in bytes not UTF-16 units', () => {
  const cases: [string, TopicRule | undefined][] = [
    ['a'.repeat(65535), undefined],
    ['a'.repeat(65536), 'MQTT-4.7.3-3'],
    ['é'.repeat(32767) + 'a', undefined], // 65535 bytes
    ['é'.repeat(32768), 'MQTT-4.7.3-3'], // 32768 units, 65536 bytes
    ['€'.repeat(21845), undefined], // 3 bytes each: 65535
    ['€'.repeat(21846), 'MQTT-4.7.3-3'],
    ['😀'.repeat(16384), 'MQTT-4.7.3-3'], // a surrogate pair is 4 bytes, not 2 × 3
    ['😀'.repeat(16383) + 'abc', undefined],
  ];
  for (const [s, rule] of cases) {
    assert.equal(ruleOfName(s), rule, `name of ${s.length} units`);
    assert.equal(ruleOfFilter(s), rule, `filter of ${s.length} units`);
  }
  assert.equal(ruleOfFilter('a/'.repeat(32767) + '#'), undefined);
  assert.equal(ruleOfFilter('a/'.repeat(32767) + '+/'), 'MQTT-4.7.3-3');
});

test('[MQTT-1.5.3-1] no lone UTF-16 surrogate (5.0: [MQTT-1.5.4-1])', () => {
  for (const s of ['\uD800', 'a\uD83D', '\uDE00a', 'a/\uDC00\uD800', '\uD83D\uD83D\uDE00']) {
    assert.equal(ruleOfName(s), 'MQTT-1.5.3-1', JSON.stringify(s));
    assert.equal(ruleOfFilter(s), 'MQTT-1.5.3-1', JSON.stringify(s));
  }
  assert.equal(ruleOfName('sensor/😀/temp'), undefined);
  assert.equal(ruleOfName('\u{10FFFD}'), undefined);
});

test('[MQTT-1.5.3] control characters and non-characters are refused, as Mosquitto refuses them', () => {
  const refused = ['\u0001', '\t', '\n', '\u001F', '\u007F', '\u0080', '\u009F'];
  const nonCharacters = ['\uFDD0', '\uFDEF', '\uFFFE', '\uFFFF', '\u{1FFFE}', '\u{1FFFF}', '\u{10FFFF}'];
  for (const c of [...refused, ...nonCharacters]) {
    assert.equal(ruleOfName(`a/${c}/b`), 'MQTT-1.5.3', JSON.stringify(c));
    assert.equal(ruleOfFilter(`+/${c}`), 'MQTT-1.5.3', JSON.stringify(c));
  }
  for (const c of ['\u0020', '\u007E', '\u00A0', '\uFDCF', '\uFDF0', '\uFFFD', '\u{1FFFD}', '\u{20000}']) {
    assert.equal(ruleOfName(`a/${c}/b`), undefined, JSON.stringify(c));
  }
});

test('[MQTT-1.5.3-3] U+FEFF is an ordinary character, kept and matched as is', () => {
  assert.equal(ruleOfName('\uFEFFa'), undefined);
  assert.ok(topicMatches('\uFEFFa/+', '\uFEFFa/b'));
  assert.ok(!topicMatches('a/+', '\uFEFFa/b'));
});

test('[MQTT-4.7.1-2] # alone in the last level', () => {
  for (const filter of ['#', 'sport/#', 'sport/tennis/player1/#', '/#', '+/#', '$SYS/#']) {
    assert.equal(ruleOfFilter(filter), undefined, filter);
  }
  for (const filter of ['sport/tennis#', 'sport/tennis/#/ranking', '#/a', '##', 'a/#/', '#+', 'a/b#']) {
    assert.equal(ruleOfFilter(filter), 'MQTT-4.7.1-2', filter);
  }
});

test('[MQTT-4.7.1-3] + occupies a whole level', () => {
  for (const filter of [
    '+',
    '+/tennis/#',
    'sport/+/player1',
    '+/+',
    '/+',
    '+/',
    'a/+/+/b',
    '+/monitor/Clients',
  ]) {
    assert.equal(ruleOfFilter(filter), undefined, filter);
  }
  for (const filter of ['sport+', '+sport', 'a/b+/c', 'a/+b', '++', 'a/++/b', '+#']) {
    assert.equal(ruleOfFilter(filter), 'MQTT-4.7.1-3', filter);
  }
});

test('[MQTT-4.8.2-1] [MQTT-4.8.2-2] shared subscriptions: $share/{ShareName}/{filter}', () => {
  for (const filter of ['sport/#', '$share', '$shared/g/a', '$SHARE/g/a', 'a/$share/g/b', '$sys/#']) {
    assert.equal(parseSharedSubscription(filter), undefined, filter);
  }
  assert.deepEqual(parseSharedSubscription('$share/consumer1/sport/tennis/+'), {
    ok: true,
    group: 'consumer1',
    filter: 'sport/tennis/+',
  });
  assert.deepEqual(parseSharedSubscription('$share/g/#'), { ok: true, group: 'g', filter: '#' });
  assert.deepEqual(parseSharedSubscription('$share/g/$SYS/a/'), { ok: true, group: 'g', filter: '$SYS/a/' });
  const cases: [string, TopicRule][] = [
    ['$share//sport', 'MQTT-4.8.2-1'],
    ['$share/', 'MQTT-4.8.2-1'],
    ['$share/g', 'MQTT-4.8.2-2'],
    ['$share/g+/a', 'MQTT-4.8.2-2'],
    ['$share/+/a', 'MQTT-4.8.2-2'],
    ['$share/#/a', 'MQTT-4.8.2-2'],
    ['$share/g/', 'MQTT-4.7.3-1'],
    ['$share/g/a#', 'MQTT-4.7.1-2'],
    ['$share/g/#/a', 'MQTT-4.7.1-2'],
    ['$share/g/a+', 'MQTT-4.7.1-3'],
    ['$share/g\u0000/a', 'MQTT-4.7.3-2'],
    ['$share/g\u0001/a', 'MQTT-1.5.3'],
    ['$share/g/a\uD800', 'MQTT-1.5.3-1'],
    ['$share/g/' + 'a'.repeat(65527), 'MQTT-4.7.3-3'],
  ];
  for (const [filter, rule] of cases) {
    const parsed = parseSharedSubscription(filter);
    assert.equal(parsed?.ok, false, filter.slice(0, 40));
    assert.equal(parsed.ok ? undefined : parsed.problem.rule, rule, filter.slice(0, 40));
  }
  assert.equal(parseSharedSubscription('$share/g/' + 'a'.repeat(65526))?.ok, true);
});

/** Golden cases from the non-normative examples of 3.1.1 §4.7 and 5.0 §4.7. */
const GOLDEN: [filter: string, topic: string, matches: boolean][] = [
  ['sport/tennis/player1/#', 'sport/tennis/player1', true],
  ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
  ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
  ['sport/tennis/player1/#', 'sport/tennis/player2', false],
  ['sport/#', 'sport', true],
  ['#', 'sport/tennis', true],
  ['#', '/', true],
  ['sport/tennis/+', 'sport/tennis/player1', true],
  ['sport/tennis/+', 'sport/tennis/player2', true],
  ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
  ['sport/+', 'sport', false],
  ['sport/+', 'sport/', true],
  ['+/+', '/finance', true],
  ['/+', '/finance', true],
  ['+', '/finance', false],
  ['+/tennis/#', 'sport/tennis/player1', true],
  ['sport/+/player1', 'sport/tennis/player1', true],
  ['ACCOUNTS', 'Accounts', false],
  ['Accounts payable', 'Accounts payable', true],
  ['/finance', 'finance', false],
  ['finance', 'finance/', false],
  ['sport/tennis/#', 'sport/tennisX', false],
];

test('topic matching: golden cases of §4.7.1 and §4.7.3', () => {
  for (const [filter, topic, expected] of GOLDEN) {
    assert.equal(topicMatches(filter, topic), expected, `${filter} ~ ${topic}`);
  }
});

test('[MQTT-4.7.2-1] a filter starting with a wildcard does not match a topic starting with $', () => {
  const cases: [string, string, boolean][] = [
    ['#', '$SYS/broker/clients', false],
    ['#', '$SYS', false],
    ['+', '$SYS', false],
    ['+/monitor/Clients', '$SYS/monitor/Clients', false],
    ['+/#', '$x/y', false],
    ['$SYS/#', '$SYS/monitor/Clients', true],
    ['$SYS/#', '$SYS', true],
    ['$SYS/monitor/+', '$SYS/monitor/Clients', true],
    ['+/$SYS', 'a/$SYS', true],
    ['a/+', 'a/$b', true],
  ];
  for (const [filter, topic, expected] of cases) {
    assert.equal(topicMatches(filter, topic), expected, `${filter} ~ ${topic}`);
  }
});

test('[MQTT-4.7.3-4] + matches an empty level; no normalization', () => {
  assert.ok(topicMatches('a/+/c', 'a//c'));
  assert.ok(topicMatches('+/b', '/b'));
  assert.ok(topicMatches('a/+', 'a/'));
  assert.ok(topicMatches('+/+/+', '//'));
  assert.ok(!topicMatches('caf\u00e9', 'cafe\u0301'));
});

/** Independent oracle: split into levels, compare arrays. */
function splitOracle(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

test('topicMatches agrees with a split-based oracle on 20,000 random pairs', () => {
  const rnd = mulberry32(0x5eed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const levels = (alphabet: readonly string[]) => {
    const out: string[] = [];
    for (let n = 1 + Math.floor(rnd() * 4); out.length < n;) {
      out.push(pick(alphabet));
      if (out.at(-1) === '#') break;
    }
    return out.join('/');
  };
  let matched = 0;
  for (let i = 0; i < 20_000; i++) {
    const filter = levels(['a', 'b', '$s', '', '+', '#']);
    const topic = levels(['a', 'b', '$s', '']);
    if (filter === '' || topic === '') continue;
    assert.equal(validateTopicFilter(filter), undefined, filter);
    assert.equal(validateTopicName(topic), undefined, topic);
    const expected = splitOracle(filter, topic);
    assert.equal(topicMatches(filter, topic), expected, `${filter} ~ ${topic}`);
    if (expected) matched++;
  }
  assert.ok(matched > 1000, `only ${matched} matching pairs: the generator is too sparse`);
});
