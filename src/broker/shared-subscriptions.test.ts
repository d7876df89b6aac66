import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSharedSubscription, topicMatches } from '../wire/mqtt/topic.js';
import { type SharedGroup, SharedSubscriptions } from './shared-subscriptions.js';

function groupsMatching<V>(shared: SharedSubscriptions<V>, topic: string): string[] {
  const out: string[] = [];
  shared.match(topic, (g) =>
    out.push(`${g.group} ${g.filter} [${g.members.map((m) => m.clientKey).join(',')}]`),
  );
  return out.sort();
}

/** Subscribe with the wire form, as the broker will after parsing. */
function subscribe(shared: SharedSubscriptions<number>, wire: string, client: string, qos: number): boolean {
  const parsed = parseSharedSubscription(wire);
  assert.ok(parsed?.ok, wire);
  return shared.add(parsed.group, parsed.filter, client, qos);
}

test('[MQTT-4.8.2-1] a group is keyed by (ShareName, filter); each matching group is visited once', () => {
  const shared = new SharedSubscriptions<number>();
  assert.equal(subscribe(shared, '$share/consumer1/sport/tennis/+', 'c1', 1), true);
  assert.equal(subscribe(shared, '$share/consumer1/sport/tennis/+', 'c2', 1), true);
  assert.equal(subscribe(shared, '$share/consumer2/sport/tennis/+', 'c3', 0), true);
  assert.equal(subscribe(shared, '$share/consumer1/sport/#', 'c1', 2), true);
  assert.equal(shared.size, 4);
  assert.deepEqual(groupsMatching(shared, 'sport/tennis/player1'), [
    'consumer1 sport/# [c1]',
    'consumer1 sport/tennis/+ [c1,c2]',
    'consumer2 sport/tennis/+ [c3]',
  ]);
  assert.deepEqual(groupsMatching(shared, 'sport'), ['consumer1 sport/# [c1]']);
  assert.deepEqual(groupsMatching(shared, 'news'), []);
});

test('[MQTT-3.8.4-3] re-subscribing replaces the member value and keeps its turn', () => {
  const shared = new SharedSubscriptions<number>();
  shared.add('g', 'a/#', 'c1', 0);
  shared.add('g', 'a/#', 'c2', 0);
  assert.equal(shared.add('g', 'a/#', 'c1', 2), false);
  assert.equal(shared.size, 2);
  assert.deepEqual(shared.get('g', 'a/#')?.members, [
    { clientKey: 'c1', value: 2 },
    { clientKey: 'c2', value: 0 },
  ]);
});

test('pick rotates round-robin and skips ineligible members', () => {
  const shared = new SharedSubscriptions<number>();
  for (const c of ['a', 'b', 'c']) shared.add('g', 'f/+', c, 1);
  const turns = (n: number, eligible?: (c: string) => boolean) =>
    Array.from({ length: n }, () => shared.pick('g', 'f/+', eligible)?.clientKey ?? '-').join('');
  assert.equal(turns(6), 'abcabc');
  assert.equal(
    turns(4, (c) => c !== 'b'),
    'acac',
  );
  assert.equal(turns(3), 'abc');
  assert.equal(
    turns(2, () => false),
    '--',
  );
  assert.equal(shared.pick('g', 'other', undefined), undefined);
  assert.equal(shared.pick('h', 'f/+'), undefined);
});

test('removing a member keeps the rotation order of the others', () => {
  const shared = new SharedSubscriptions<number>();
  for (const c of ['a', 'b', 'c', 'd']) shared.add('g', 'x', c, 0);
  const next = () => shared.pick('g', 'x')?.clientKey;
  assert.equal(next(), 'a');
  assert.equal(next(), 'b');
  assert.equal(shared.remove('g', 'x', 'a'), true); // before the cursor
  assert.equal(next(), 'c');
  assert.equal(shared.remove('g', 'x', 'd'), true); // the next in line
  assert.equal(next(), 'b');
  assert.equal(next(), 'c');
  assert.equal(shared.remove('g', 'x', 'a'), false);
  assert.equal(shared.remove('g', 'y', 'b'), false);
  assert.equal(shared.remove('h', 'x', 'b'), false);
});

test('the last member leaving drops the group and prunes the trie', () => {
  const shared = new SharedSubscriptions<number>();
  shared.add('g1', 'a/b/c', 'c1', 0);
  shared.add('g2', 'a/b/c', 'c1', 0);
  shared.add('g1', 'a/+', 'c1', 0);
  shared.remove('g1', 'a/b/c', 'c1');
  assert.equal(shared.get('g1', 'a/b/c'), undefined);
  assert.deepEqual(groupsMatching(shared, 'a/b/c'), ['g2 a/b/c [c1]']);
  shared.remove('g2', 'a/b/c', 'c1');
  shared.remove('g1', 'a/+', 'c1');
  assert.equal(shared.size, 0);
  assert.equal(shared.nodeCount, 0);
});

test('[MQTT-4.7.2-1] the $ rule applies to the inner filter of a shared subscription', () => {
  const shared = new SharedSubscriptions<number>();
  subscribe(shared, '$share/g/#', 'c1', 0);
  subscribe(shared, '$share/g/+/monitor/Clients', 'c1', 0);
  subscribe(shared, '$share/g/$SYS/#', 'c2', 0);
  assert.deepEqual(groupsMatching(shared, '$SYS/monitor/Clients'), ['g $SYS/# [c2]']);
  assert.deepEqual(groupsMatching(shared, 'x/monitor/Clients'), ['g # [c1]', 'g +/monitor/Clients [c1]']);
});

test('differential: matching groups equal brute-force topicMatches', () => {
  const shared = new SharedSubscriptions<number>();
  const levels = ['a', 'b', '$s', '', '+'];
  const filters: string[] = [];
  for (const x of levels) for (const y of [...levels, '#']) filters.push(`${x}/${y}`);
  filters.push('#', '+', 'a', '$s');
  filters.forEach((f, i) => shared.add(`g${i % 3}`, f, `c${i}`, i));
  for (const t1 of ['a', 'b', '$s', '']) {
    for (const topic of [t1, `${t1}/a`, `${t1}/`, `${t1}/$s/b`]) {
      if (topic === '') continue;
      const seen: SharedGroup<number>[] = [];
      shared.match(topic, (g) => seen.push(g));
      const expected = filters.filter((f) => topicMatches(f, topic)).sort();
      assert.deepEqual(seen.map((g) => g.filter).sort(), expected, topic);
    }
  }
});
