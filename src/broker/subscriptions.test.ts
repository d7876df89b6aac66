import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topicMatches, validateTopicFilter, validateTopicName } from '../wire/mqtt/topic.js';
import { SubscriptionTrie } from './subscriptions.js';
import { mulberry32, randomLevels } from '../../test/helpers/prng.js';

/** Every (client, filter, value) the trie reports for `topic`, sorted. */
function matches<V>(trie: SubscriptionTrie<V>, topic: string): string[] {
  const out: string[] = [];
  trie.match(topic, (client, value, filter) => out.push(`${client} ${filter} ${String(value)}`));
  return out.sort();
}

function filtersMatching<V>(trie: SubscriptionTrie<V>, topic: string): string[] {
  const out: string[] = [];
  trie.match(topic, (_client, _value, filter) => out.push(filter));
  return out.sort();
}

test('[MQTT-3.8.4-3] a repeated subscription replaces the existing one', () => {
  const trie = new SubscriptionTrie<number>();
  assert.equal(trie.add('sport/#', 'c1', 0), true);
  assert.equal(trie.add('sport/#', 'c2', 1), true);
  assert.equal(trie.add('sport/#', 'c1', 2), false);
  assert.equal(trie.size, 2);
  assert.equal(trie.get('sport/#', 'c1'), 2);
  assert.equal(trie.get('sport/#', 'c3'), undefined);
  assert.equal(trie.get('sport/+', 'c1'), undefined);
  assert.deepEqual(matches(trie, 'sport/tennis'), ['c1 sport/# 2', 'c2 sport/# 1']);
});

test('remove reports what it removed and prunes empty branches', () => {
  const trie = new SubscriptionTrie<string>();
  trie.add('a/b/c', 'c1', 'x');
  trie.add('a/+/#', 'c1', 'y');
  trie.add('a/b', 'c2', 'z');
  const nodes = trie.nodeCount;
  assert.equal(trie.remove('a/b/c', 'c2'), false);
  assert.equal(trie.remove('a/b/d', 'c1'), false);
  assert.equal(trie.remove('a/b/c', 'c1'), true);
  assert.equal(trie.remove('a/b/c', 'c1'), false);
  assert.equal(trie.nodeCount, nodes - 1);
  assert.deepEqual(matches(trie, 'a/b/c'), ['c1 a/+/# y']);
  trie.remove('a/+/#', 'c1');
  trie.remove('a/b', 'c2');
  assert.equal(trie.size, 0);
  assert.equal(trie.nodeCount, 0);
  assert.deepEqual(matches(trie, 'a/b'), []);
});

test('a client with overlapping filters gets one visit per matching filter', () => {
  const trie = new SubscriptionTrie<number>();
  for (const [filter, qos] of [
    ['sport/tennis/player1/#', 0],
    ['sport/tennis/+/#', 1],
    ['sport/+/player1', 2],
    ['#', 0],
    ['sport/tennis/player1', 1],
  ] as const) {
    trie.add(filter, 'c1', qos);
  }
  assert.deepEqual(matches(trie, 'sport/tennis/player1'), [
    'c1 # 0',
    'c1 sport/+/player1 2',
    'c1 sport/tennis/+/# 1',
    'c1 sport/tennis/player1 1',
    'c1 sport/tennis/player1/# 0',
  ]);
  const merged = trie.matchClients<number>('sport/tennis/player1', (acc, qos) => Math.max(acc ?? 0, qos));
  assert.deepEqual([...merged], [['c1', 2]]);
});

test('matchClients clears and refills the Map it is given', () => {
  const trie = new SubscriptionTrie<number>();
  trie.add('a/+', 'c1', 1);
  trie.add('a/b', 'c1', 2);
  trie.add('#', 'c2', 0);
  const into = new Map<string, number[]>([['stale', []]]);
  const list = (acc: number[] = [], v: number) => (acc.push(v), acc);
  assert.equal(trie.matchClients('a/b', list, into), into);
  assert.deepEqual([...into.keys()].sort(), ['c1', 'c2']);
  assert.deepEqual(into.get('c1')?.sort(), [1, 2]);
  trie.matchClients('$SYS/x', list, into);
  assert.equal(into.size, 0);
});

test('golden cases of §4.7: sport/tennis/player1/#, sport/+, +/+, /+, $SYS/#, +/monitor/Clients', () => {
  const trie = new SubscriptionTrie<number>();
  const filters = ['sport/tennis/player1/#', 'sport/+', 'sport/#', '+/+', '/+', '+', '#', '$SYS/#'];
  filters.forEach((f, i) => trie.add(f, `c${i}`, i));
  trie.add('+/monitor/Clients', 'm', 0);
  trie.add('$SYS/monitor/+', 'm', 1);
  const hits = (topic: string) => filtersMatching(trie, topic);
  assert.deepEqual(hits('sport/tennis/player1'), ['#', 'sport/#', 'sport/tennis/player1/#']);
  assert.deepEqual(hits('sport'), ['#', '+', 'sport/#']);
  assert.deepEqual(hits('sport/'), ['#', '+/+', 'sport/#', 'sport/+']);
  assert.deepEqual(hits('/finance'), ['#', '+/+', '/+']);
  assert.deepEqual(hits('$SYS/monitor/Clients'), ['$SYS/#', '$SYS/monitor/+']);
  assert.deepEqual(hits('a/monitor/Clients'), ['#', '+/monitor/Clients']);
});

test('[MQTT-4.7.2-1] filters starting with + or # never see $ topics', () => {
  const trie = new SubscriptionTrie<number>();
  for (const f of ['#', '+', '+/#', '+/+', '+/b', '$SYS/#', '$SYS', '$SYS/+']) trie.add(f, 'c', 0);
  assert.deepEqual(filtersMatching(trie, '$SYS'), ['$SYS', '$SYS/#']);
  assert.deepEqual(filtersMatching(trie, '$SYS/b'), ['$SYS/#', '$SYS/+']);
  assert.deepEqual(filtersMatching(trie, 'x/$SYS'), ['#', '+/#', '+/+']);
});

test('a visitor may start another match on the same trie', () => {
  const trie = new SubscriptionTrie<number>();
  trie.add('a/+', 'c1', 1);
  trie.add('b/#', 'c2', 2);
  const seen: string[] = [];
  trie.match('a/x', (client) => {
    seen.push(client);
    trie.match('b/y/z', (inner) => seen.push(inner));
  });
  assert.deepEqual(seen, ['c1', 'c2']);
  assert.deepEqual(matches(trie, 'a/x'), ['c1 a/+ 1']);
});

test('100,000-level filters and topics do not overflow the stack', () => {
  const trie = new SubscriptionTrie<number>();
  const deepFilter = '+/'.repeat(50_000) + '#';
  const deepTopic = 'a/'.repeat(100_000) + 'a';
  trie.add(deepFilter, 'c', 1);
  trie.add(deepTopic, 'c', 2);
  assert.equal(matches(trie, deepTopic).length, 2);
  assert.equal(trie.remove(deepFilter, 'c') && trie.remove(deepTopic, 'c'), true);
  assert.equal(trie.nodeCount, 0);
});

test('many subscribers on one filter: replace and remove stay exact past the index threshold', () => {
  const trie = new SubscriptionTrie<number>();
  for (let i = 0; i < 100; i++) trie.add('x/#', `c${i}`, i);
  for (let i = 0; i < 100; i += 3) assert.equal(trie.add('x/#', `c${i}`, -i), false);
  for (let i = 0; i < 100; i += 2) assert.equal(trie.remove('x/#', `c${i}`), true);
  const got = new Map<string, number>();
  trie.match('x', (c, v) => got.set(c, v));
  assert.equal(got.size, 50);
  for (let i = 1; i < 100; i += 2) assert.equal(got.get(`c${i}`), i % 3 === 0 ? -i : i);
});

test('differential: trie matches equal brute-force topicMatches over all stored filters', () => {
  const rnd = mulberry32(20240611);
  const trie = new SubscriptionTrie<number>();
  const model = new Map<string, { client: string; filter: string; value: number }>();
  const topics = Array.from({ length: 150 }, () => randomLevels(rnd, ['a', 'b', '$s', '']));
  let compared = 0;
  for (let op = 1; op <= 4000; op++) {
    const filter = randomLevels(rnd, ['a', 'b', '$s', '', '+', '#']);
    const client = `c${Math.floor(rnd() * 5)}`;
    assert.equal(validateTopicFilter(filter), undefined);
    const key = `${client} ${filter}`;
    if (rnd() < 0.7) {
      assert.equal(trie.add(filter, client, op), !model.has(key), `add ${key}`);
      model.set(key, { client, filter, value: op });
    } else {
      assert.equal(trie.remove(filter, client), model.delete(key), `remove ${key}`);
    }
    assert.equal(trie.size, model.size);
    if (op % 500 !== 0) continue;
    for (const topic of topics) {
      assert.equal(validateTopicName(topic), undefined);
      const expected = [...model.values()]
        .filter((s) => topicMatches(s.filter, topic))
        .map((s) => `${s.client} ${s.filter} ${s.value}`)
        .sort();
      assert.deepEqual(matches(trie, topic), expected, topic);
      compared += expected.length;
    }
  }
  assert.ok(compared > 10_000, `only ${compared} matches compared`);
  for (const { client, filter } of model.values()) trie.remove(filter, client);
  assert.equal(trie.nodeCount, 0);
});
