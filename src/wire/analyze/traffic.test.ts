import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeTraffic, formatInterval, groupRecords, trafficObservations } from './traffic.js';
import type { RecordView } from './types.js';

const S = 1_000_000;
/** Records of these lengths at these times (s), GCM overhead 24. */
const recs = (pairs: readonly (readonly [number, number])[], overhead = 24): RecordView[] =>
  pairs.map(([t, len], i) => ({
    timeUs: t * S,
    offset: i * 100,
    recordLength: len,
    plaintextLength: len - overhead,
  }));

test('a record of one size every 2 s is a periodic group; its plaintext size is length − overhead', () => {
  const records = recs([0, 2, 4, 6.1, 8, 10].map((t) => [t, 214] as const));
  const [g, ...rest] = groupRecords('c2s', records, false);
  assert.deepEqual(rest, []);
  assert.equal(g!.count, 6);
  assert.equal(g!.periodic, true);
  assert.deepEqual(g!.recordLength, { min: 214, median: 214, max: 214 });
  assert.deepEqual(g!.plaintextLength, { min: 190, median: 190, max: 190 });
  assert.equal(g!.intervalUs?.median, 2 * S);
  assert.equal(
    g!.inference,
    '6 client → server records of ~214 bytes (≈ 190 bytes of plaintext) every 2.0 s: consistent with a periodic ' +
      'telemetry PUBLISH — an inference from sizes and times; the content stays encrypted',
  );
});

test('lengths within 5 % join one group (JSON readings vary by a few bytes); others stay apart', () => {
  const records = recs([
    [0, 200],
    [1, 205],
    [2, 207],
    [3, 199],
    [4, 26],
    [5, 26],
    [6, 28],
  ]);
  const groups = groupRecords('s2c', records, false);
  assert.deepEqual(
    groups.map((g) => [g.count, g.recordLength.min, g.recordLength.max]),
    [
      [2, 26, 26],
      [4, 199, 207],
    ],
    '28 is not within 5 % of 26 (1 byte), so the single 28 is no group',
  );
  assert.equal(groups[1]!.plaintextLength?.median, 179);
});

test('irregular times: a group but not periodic; keep-alive and ack sizes are named', () => {
  const irregular = groupRecords('c2s', recs([0, 0.1, 5, 5.2, 30].map((t) => [t, 300] as const)), false);
  assert.equal(irregular[0]!.periodic, false);
  assert.match(irregular[0]!.inference, /messages of one size at irregular times/);
  const pings = groupRecords('c2s', recs([0, 60, 120].map((t) => [t, 26] as const)), false);
  assert.match(
    pings[0]!.inference,
    /≈ 2 bytes of plaintext\) every 60\.0 s: consistent with MQTT PINGREQ keep-alives/,
  );
  const acks = groupRecords(
    's2c',
    recs(
      [0, 1, 2].map((t) => [t, 21] as const),
      17,
    ),
    true,
  );
  assert.match(acks[0]!.inference, /≤ 4 bytes of plaintext.*MQTT acknowledgements/);
  assert.equal(groupRecords('c2s', recs([[1, 50]]), false).length, 0, 'one record is no pattern');
  const two = groupRecords(
    'c2s',
    recs([
      [1, 50],
      [2, 50],
    ]),
    false,
  )[0]!;
  assert.equal(two.periodic, false, 'two records make one interval, not a rhythm');
});

test('analyzeTraffic: periodic groups first, records capped per direction, observations with evidence', () => {
  const c2s = recs([0, 1, 2, 3, 4].map((t) => [t, 88] as const));
  const s2c = recs([
    [0.5, 30],
    [9, 30],
    [9.1, 30],
    [20, 30],
  ]);
  const t = analyzeTraffic({ c2s, s2c }, 24, false, 3);
  assert.deepEqual(t.omittedRecords, { c2s: 2, s2c: 1 });
  assert.equal(t.records.c2s.length, 3);
  assert.equal(t.groups[0]!.direction, 'c2s', 'periodic first');
  assert.equal(t.groups[0]!.count, 5, 'groups are made from every record, listed or not');
  const obs = trafficObservations(t);
  assert.equal(obs[0]!.value, 'c2s ~88-byte records ×5 every 1.0 s');
  assert.equal(obs[0]!.verdict, 'exposed');
  assert.deepEqual(obs[0]!.evidence[0], { direction: 'c2s', timeUs: 0, offset: 0, length: 93 });
});

test('formatInterval', () => {
  assert.deepEqual([999, 1500, 250_000, 2_000_000, 61_250_000].map(formatInterval), [
    '999 µs',
    '1.5 ms',
    '250 ms',
    '2.0 s',
    '61.3 s',
  ]);
});
