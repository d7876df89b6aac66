import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { SequenceTracker } from './reading-sequence.js';

const code = (c: string) => (err: unknown) => isLabError(err) && err.code === c;

function feedAll(tracker: SequenceTracker, deviceId: string, seqs: number[]) {
  return seqs.map((seq) => tracker.feed(deviceId, seq));
}

test('first message, then in order', () => {
  const t = new SequenceTracker();
  const kinds = feedAll(t, 'm5go', [0, 1, 2, 3]).map((e) => e.kind);
  assert.deepEqual(kinds, ['first', 'in-order', 'in-order', 'in-order']);
  assert.deepEqual(t.stats('m5go'), {
    last: 3,
    received: 4,
    duplicates: 0,
    outOfOrder: 0,
    restarts: 0,
    missing: 0,
    lost: 0,
  });
});

test('a subscriber that joins mid-stream starts from whatever seq it sees first', () => {
  const t = new SequenceTracker();
  assert.deepEqual(t.feed('m5go', 1234), { kind: 'first', deviceId: 'm5go', seq: 1234 });
  assert.equal(t.feed('m5go', 1235).kind, 'in-order');
});

test('gap: the missing range is reported and awaited', () => {
  const t = new SequenceTracker();
  feedAll(t, 'm5go', [0, 1]);
  assert.deepEqual(t.feed('m5go', 5), { kind: 'gap', deviceId: 'm5go', seq: 5, missing: { from: 2, to: 4 } });
  assert.deepEqual(t.missing('m5go'), [{ from: 2, to: 4 }]);
  assert.equal(t.stats('m5go')!.missing, 3);
});

test('out-of-order: a late message fills its hole; the range splits', () => {
  const t = new SequenceTracker();
  feedAll(t, 'm5go', [0, 1, 6]);
  assert.equal(t.feed('m5go', 3).kind, 'out-of-order');
  assert.deepEqual(t.missing('m5go'), [
    { from: 2, to: 2 },
    { from: 4, to: 5 },
  ]);
  assert.equal(t.feed('m5go', 3).kind, 'duplicate', 'once filled, the same seq again is a duplicate');
  feedAll(t, 'm5go', [2, 4, 5]);
  assert.deepEqual(t.missing('m5go'), []);
  assert.deepEqual([t.stats('m5go')!.outOfOrder, t.stats('m5go')!.duplicates], [4, 1]);
});

test('duplicate: the same seq again (QoS 1 redelivery), latest or earlier', () => {
  const t = new SequenceTracker();
  feedAll(t, 'm5go', [0, 1, 2, 3, 4]);
  assert.equal(t.feed('m5go', 4).kind, 'duplicate');
  assert.equal(t.feed('m5go', 3).kind, 'duplicate');
  assert.equal(t.stats('m5go')!.duplicates, 2);
});

test('restart: seq back to 0 or 1 after more; outstanding gaps are counted lost', () => {
  const t = new SequenceTracker();
  feedAll(t, 'm5go', [10, 11, 14]);
  assert.deepEqual(t.feed('m5go', 0), { kind: 'restart', deviceId: 'm5go', seq: 0, previous: 14 });
  assert.equal(t.feed('m5go', 1).kind, 'in-order');
  assert.deepEqual(t.missing('m5go'), []);
  assert.deepEqual([t.stats('m5go')!.restarts, t.stats('m5go')!.lost], [1, 2]);
  feedAll(t, 'm5go', [2, 3]);
  assert.equal(t.feed('m5go', 1).kind, 'restart', 'a device that counts from 1');
});

test('restart: a drop further back than the window, even to a seq above 1', () => {
  const t = new SequenceTracker({ window: 8 });
  feedAll(t, 'm5go', [100, 101]);
  assert.equal(t.feed('m5go', 95).kind, 'duplicate', 'within the window');
  assert.deepEqual(t.feed('m5go', 5), { kind: 'restart', deviceId: 'm5go', seq: 5, previous: 101 });
});

test('a missing seq that is itself a boot value arrives late: out-of-order, not a restart', () => {
  const t = new SequenceTracker();
  t.feed('m5go', 0);
  t.feed('m5go', 2);
  assert.equal(t.feed('m5go', 1).kind, 'out-of-order');
});

test('the window bounds memory: older holes are given up as lost', () => {
  const t = new SequenceTracker({ window: 4 });
  feedAll(t, 'm5go', [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(t.missing('m5go'), [
    { from: 7, to: 7 },
    { from: 9, to: 9 },
  ]);
  assert.equal(t.stats('m5go')!.lost, 3);
  assert.deepEqual(t.feed('m5go', 4_000_000_000), {
    kind: 'gap',
    deviceId: 'm5go',
    seq: 4_000_000_000,
    missing: { from: 11, to: 3_999_999_999 },
  });
  assert.deepEqual(t.missing('m5go'), [{ from: 3_999_999_996, to: 3_999_999_999 }]);
  assert.equal(t.stats('m5go')!.lost, 3 + 2 + (3_999_999_996 - 11));
});

test('devices are tracked independently', () => {
  const t = new SequenceTracker();
  feedAll(t, 'a', [0, 1]);
  feedAll(t, 'b', [7]);
  assert.equal(t.feed('a', 2).kind, 'in-order');
  assert.equal(t.feed('b', 9).kind, 'gap');
  assert.deepEqual(t.devices(), ['a', 'b']);
  assert.equal(t.forget('a'), true);
  assert.equal(t.stats('a'), undefined);
  assert.equal(t.feed('a', 5).kind, 'first');
});

test('bad input and options are coded errors', () => {
  const t = new SequenceTracker();
  assert.throws(() => t.feed('', 1), code('ERR_OPTIONS_INVALID'));
  assert.throws(() => t.feed('m5go', -1), code('ERR_OPTIONS_INVALID'));
  assert.throws(() => t.feed('m5go', 1.5), code('ERR_OPTIONS_INVALID'));
  assert.throws(() => new SequenceTracker({ windw: 3 } as never), code('ERR_OPTIONS_UNKNOWN_KEY'));
  assert.throws(() => new SequenceTracker({ window: 0 }), code('ERR_OPTIONS_INVALID'));
});
