import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topicMatches, validateTopicFilter } from '../wire/mqtt/topic.js';
import { RetainedStore } from './retained.js';
import { mulberry32, randomLevels } from '../../test/helpers/prng.js';

function topicsMatching<M>(store: RetainedStore<M>, filter: string): string[] {
  const out: string[] = [];
  store.match(filter, (topic) => out.push(topic));
  return out.sort();
}

test('[MQTT-3.3.1-5] one retained message per topic: set replaces, get and delete by exact topic', () => {
  const store = new RetainedStore<string>();
  assert.equal(store.set('sport/tennis', 'm1'), true);
  assert.equal(store.set('sport/tennis', 'm2'), false);
  assert.equal(store.set('sport', 'm3'), true);
  assert.equal(store.size, 2);
  assert.equal(store.get('sport/tennis'), 'm2');
  assert.equal(store.get('sport/tennis/'), undefined);
  assert.equal(store.delete('sport/tennis'), true);
  assert.equal(store.delete('sport/tennis'), false);
  assert.equal(store.get('sport/tennis'), undefined);
  assert.deepEqual([...store.entries()], [['sport', 'm3']]);
});

test('[MQTT-3.3.1-10] delete prunes the levels nothing else uses', () => {
  const store = new RetainedStore<number>();
  store.set('a/b/c/d', 1);
  store.set('a/b', 2);
  assert.equal(store.nodeCount, 4);
  store.delete('a/b/c/d');
  assert.equal(store.nodeCount, 2);
  store.delete('a/b');
  assert.equal(store.nodeCount, 0);
  assert.equal(store.size, 0);
});

test('a stored undefined is still a retained message', () => {
  const store = new RetainedStore<undefined>();
  store.set('a', undefined);
  assert.equal(store.size, 1);
  assert.deepEqual(topicsMatching(store, '#'), ['a']);
});

test('golden cases of §4.7 for a new subscription', () => {
  const store = new RetainedStore<number>();
  const topics = [
    'sport',
    'sport/',
    'sport/tennis/player1',
    'sport/tennis/player1/ranking',
    'sport/tennis/player1/score/wimbledon',
    'sport/tennis/player2',
    '/finance',
    'finance',
    '$SYS/monitor/Clients',
    '$SYS',
    'a/monitor/Clients',
  ];
  topics.forEach((t, i) => store.set(t, i));
  assert.deepEqual(topicsMatching(store, 'sport/tennis/player1/#'), [
    'sport/tennis/player1',
    'sport/tennis/player1/ranking',
    'sport/tennis/player1/score/wimbledon',
  ]);
  assert.deepEqual(topicsMatching(store, 'sport/#'), topics.filter((t) => t.startsWith('sport')).sort());
  assert.deepEqual(topicsMatching(store, 'sport/+'), ['sport/']);
  assert.deepEqual(topicsMatching(store, 'sport/tennis/+'), ['sport/tennis/player1', 'sport/tennis/player2']);
  assert.deepEqual(topicsMatching(store, '+/+'), ['/finance', 'sport/']);
  assert.deepEqual(topicsMatching(store, '/+'), ['/finance']);
  assert.deepEqual(topicsMatching(store, '+'), ['finance', 'sport']);
  assert.deepEqual(topicsMatching(store, '+/monitor/Clients'), ['a/monitor/Clients']);
  assert.deepEqual(topicsMatching(store, '$SYS/#'), ['$SYS', '$SYS/monitor/Clients']);
  assert.deepEqual(topicsMatching(store, 'finance'), ['finance']);
  assert.deepEqual(topicsMatching(store, 'nothing/#'), []);
});

test('[MQTT-4.7.2-1] # and + at the first level skip $ topics', () => {
  const store = new RetainedStore<number>();
  for (const t of ['$SYS/a', '$SYS', '$', 'x/$SYS', 'x']) store.set(t, 0);
  assert.deepEqual(topicsMatching(store, '#'), ['x', 'x/$SYS']);
  assert.deepEqual(topicsMatching(store, '+'), ['x']);
  assert.deepEqual(topicsMatching(store, '+/+'), ['x/$SYS']);
  assert.deepEqual(topicsMatching(store, '$SYS/#'), ['$SYS', '$SYS/a']);
  assert.deepEqual(topicsMatching(store, '$/#'), ['$']);
});

test('100,000-level topics do not overflow the stack', () => {
  const store = new RetainedStore<number>();
  const deep = 'a/'.repeat(100_000) + 'a';
  store.set(deep, 1);
  assert.deepEqual(topicsMatching(store, '#'), [deep]);
  assert.deepEqual(topicsMatching(store, '+/'.repeat(100_000) + '+'), [deep]);
  store.delete(deep);
  assert.equal(store.nodeCount, 0);
});

test('differential: store matches equal brute-force topicMatches over all retained topics', () => {
  const rnd = mulberry32(0xfeed);
  const store = new RetainedStore<number>();
  const model = new Map<string, number>();
  const filters = Array.from({ length: 300 }, () => randomLevels(rnd, ['a', 'b', '$s', '', '+', '#']));
  let compared = 0;
  for (let op = 1; op <= 3000; op++) {
    const topic = randomLevels(rnd, ['a', 'b', '$s', '']);
    if (rnd() < 0.7) {
      assert.equal(store.set(topic, op), !model.has(topic));
      model.set(topic, op);
    } else {
      assert.equal(store.delete(topic), model.delete(topic));
    }
    assert.equal(store.size, model.size);
    if (op % 500 !== 0) continue;
    for (const filter of filters) {
      assert.equal(validateTopicFilter(filter), undefined);
      const got: string[] = [];
      store.match(filter, (t, m) => got.push(`${t} ${m}`));
      const expected = [...model]
        .filter(([t]) => topicMatches(filter, t))
        .map(([t, m]) => `${t} ${m}`)
        .sort();
      assert.deepEqual(got.sort(), expected, filter);
      compared += expected.length;
    }
  }
  assert.ok(compared > 10_000, `only ${compared} matches compared`);
  assert.deepEqual(new Map(store.entries()), model);
  for (const t of model.keys()) store.delete(t);
  assert.equal(store.nodeCount, 0);
});
