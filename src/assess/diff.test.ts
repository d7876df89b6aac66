import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../core/errors.js';
import { compareSteps, consecutiveComparisons, kindOf } from './diff.js';
import { finding, fullRun, labRun, stepRun } from './fixtures.case.js';
import { strideMatrix } from './matrix.js';

test('cells: fixed (exposed → mitigated), remaining, regressed, introduced, untested', () => {
  const m = strideMatrix(
    labRun(
      [
        finding('x/s@2', 'succeeded', ['S']),
        finding('x/s@3', 'blocked', ['S']),
        finding('x/i@2', 'succeeded', ['I']),
        finding('y/i@3', 'succeeded', ['I']),
        finding('x/t@2', 'blocked', ['T']),
        finding('x/t@3', 'succeeded', ['T']),
        finding('x/d@3', 'succeeded', ['D']),
        finding('x/r@2', 'succeeded', ['R']),
        finding('x/r@3', 'not-applicable', ['R']),
      ],
      [stepRun(2), stepRun(3)],
    ),
  );
  const c = compareSteps(m, 2, 3);
  const cats = (xs: readonly { category: string }[]) => xs.map((x) => x.category);
  assert.deepEqual(cats(c.fixed), ['S']);
  assert.deepEqual(cats(c.remaining), ['I']);
  assert.deepEqual(cats(c.regressed), ['T']);
  assert.deepEqual(cats(c.introduced), ['D']);
  assert.deepEqual(cats(c.untested), ['R']);
  assert.deepEqual(c.fixed[0], {
    category: 'S',
    from: 'exposed',
    to: 'mitigated',
    fromIds: ['x/s@2'],
    toIds: ['x/s@3'],
  });
  // The cell stays exposed, but by another case: the per-case view shows x/i was not re-run.
  assert.deepEqual(
    c.cases.map((x) => [x.case, x.kind]),
    [
      ['x/s', 'fixed'],
      ['x/i', 'untested'],
      ['x/t', 'regressed'],
      ['x/r', 'fixed'],
      ['y/i', 'new'],
      ['x/d', 'new'],
    ],
  );
  assert.deepEqual(c.cases[0], {
    case: 'x/s',
    kind: 'fixed',
    from: { id: 'x/s@2', outcome: 'succeeded' },
    to: { id: 'x/s@3', outcome: 'blocked' },
  });
  assert.equal('to' in c.cases[1]!, false);
});

test('case kinds over every pair of outcomes', () => {
  assert.equal(kindOf('succeeded', 'succeeded'), 'remaining');
  assert.equal(kindOf('succeeded', 'blocked'), 'fixed');
  assert.equal(kindOf('succeeded', 'not-applicable'), 'fixed');
  assert.equal(kindOf('succeeded', undefined), 'untested');
  assert.equal(kindOf('blocked', 'succeeded'), 'regressed');
  assert.equal(kindOf('not-applicable', 'succeeded'), 'new');
  assert.equal(kindOf(undefined, 'succeeded'), 'new');
  assert.equal(kindOf('blocked', 'blocked'), 'unchanged');
  assert.equal(kindOf('not-applicable', 'blocked'), 'changed');
  assert.equal(kindOf('blocked', undefined), 'changed');
});

test('a full run compares 1→2, 2→3, 3→4; Step 4 fixes the bus and RAM cases, not the TLS 1.2 identity leak', () => {
  const m = strideMatrix(fullRun());
  const all = consecutiveComparisons(m);
  assert.deepEqual(
    all.map((c) => [c.from, c.to]),
    [
      [1, 2],
      [2, 3],
      [3, 4],
    ],
  );
  const last = all[2]!;
  const kind = (name: string) => last.cases.find((x) => x.case === name)?.kind;
  assert.equal(kind('i2c/read-slot8'), 'fixed');
  assert.equal(kind('ram/key-after-boot'), 'fixed');
  assert.equal(kind('sniff/identity'), 'remaining');
  assert.deepEqual(
    last.fixed.map((x) => x.category),
    ['S', 'T', 'R', 'D'],
  );
  assert.deepEqual(
    last.remaining.map((x) => x.category),
    ['I'],
  );
  // Step 2 → 3: the flash dump stops working, the bus read starts.
  assert.equal(all[1]!.cases.find((x) => x.case === 'flash-dump/key')?.kind, 'fixed');
  assert.equal(all[1]!.cases.find((x) => x.case === 'i2c/read-slot8')?.kind, 'new');
});

test('comparing with a step that did not run is ERR_OPTIONS_INVALID', () => {
  const m = strideMatrix(labRun([], [stepRun(2), stepRun(3, { ran: false })]));
  assert.throws(
    () => compareSteps(m, 2, 3),
    (e) => isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
  assert.deepEqual(consecutiveComparisons(m), []);
});
