import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../../test/helpers/prng.js';
import { Intervals } from './intervals.js';

test('uncovered parts, merging of overlapping and touching ranges, gaps', () => {
  const s = new Intervals();
  s.add(10, 20);
  s.add(30, 40);
  assert.deepEqual(s.uncovered(0, 50), [
    [0, 10],
    [20, 30],
    [40, 50],
  ]);
  assert.deepEqual(s.uncovered(12, 18), []);
  assert.deepEqual(s.gaps(35), [
    { offset: 0, length: 10 },
    { offset: 20, length: 10 },
  ]);
  s.add(20, 30); // touches both: one range
  assert.deepEqual(s.gaps(60), [
    { offset: 0, length: 10 },
    { offset: 40, length: 20 },
  ]);
  s.add(0, 5);
  s.add(3, 45);
  assert.deepEqual(s.gaps(45), []);
  s.add(7, 7);
  assert.deepEqual(s.uncovered(44, 46), [[45, 46]]);
});

test('agrees with a byte map on random ranges', () => {
  const rnd = mulberry32(7);
  for (let round = 0; round < 50; round++) {
    const s = new Intervals();
    const map = new Uint8Array(300);
    for (let k = 0; k < 40; k++) {
      const a = Math.floor(rnd() * 300);
      const b = Math.min(300, a + Math.floor(rnd() * 40));
      const q = Math.floor(rnd() * 300);
      const r = Math.min(300, q + Math.floor(rnd() * 60));
      const expected: [number, number][] = [];
      for (let i = q; i < r; i++)
        if (!map[i]) {
          const last = expected.at(-1);
          if (last && last[1] === i) last[1] = i + 1;
          else expected.push([i, i + 1]);
        }
      assert.deepEqual(s.uncovered(q, r), expected);
      s.add(a, b);
      map.fill(1, a, b);
    }
    const holes = s.gaps(300).reduce((n, g) => n + g.length, 0);
    assert.equal(holes, map.filter((x) => x === 0).length);
  }
});
