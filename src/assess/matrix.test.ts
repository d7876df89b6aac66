import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finding, fullRun, labRun, stepRun } from './fixtures.case.js';
import { strideMatrix } from './matrix.js';

test('a finding counts in every category of its stride array', () => {
  const m = strideMatrix(labRun([finding('flash-dump/key@2', 'succeeded', ['S', 'I', 'E'])], [stepRun(2)]));
  const cells = m.rows[0]!.cells;
  for (const c of ['S', 'I', 'E'] as const) {
    assert.equal(cells[c].status, 'exposed', c);
    assert.deepEqual(cells[c].findingIds, ['flash-dump/key@2']);
  }
  for (const c of ['T', 'R', 'D'] as const)
    assert.deepEqual(cells[c], { category: c, status: 'not-tested', findingIds: [] });
});

test('succeeded beats blocked, and its id comes first; blocked only is mitigated', () => {
  const m = strideMatrix(
    labRun(
      [
        finding('se/wrong@3', 'blocked', ['S']),
        finding('flash-dump/key@3', 'not-applicable', ['S']),
        finding('i2c/read-slot8@3', 'succeeded', ['S', 'I']),
        finding('sniff/payload@3', 'blocked', ['I', 'T']),
      ],
      [stepRun(3)],
    ),
  );
  const { S, I, T } = m.rows[0]!.cells;
  assert.equal(S.status, 'exposed');
  assert.deepEqual(S.findingIds, ['i2c/read-slot8@3', 'se/wrong@3', 'flash-dump/key@3']);
  assert.equal(I.status, 'exposed');
  assert.deepEqual(I.findingIds, ['i2c/read-slot8@3', 'sniff/payload@3']);
  assert.equal(T.status, 'mitigated');
  assert.deepEqual(T.findingIds, ['sniff/payload@3']);
});

test('not-applicable findings alone leave the cell not tested, but keep their ids as evidence', () => {
  const m = strideMatrix(labRun([finding('i2c/read-slot8@2', 'not-applicable', ['S', 'I'])], [stepRun(2)]));
  assert.deepEqual(m.rows[0]!.cells.S, {
    category: 'S',
    status: 'not-tested',
    findingIds: ['i2c/read-slot8@2'],
  });
  assert.deepEqual(m.rows[0]!.counts, { succeeded: 0, blocked: 0, notApplicable: 1 });
});

test('one row per step that ran, in step order; findings of other steps stay out of a row', () => {
  const steps = [stepRun(3), stepRun(1, { ran: false }), stepRun(2)];
  const m = strideMatrix(
    labRun([finding('a/b@2', 'succeeded', ['R']), finding('a/b@3', 'blocked', ['R'])], steps),
  );
  assert.deepEqual(
    m.rows.map((r) => r.step),
    [2, 3],
  );
  assert.equal(m.rows[0]!.cells.R.status, 'exposed');
  assert.equal(m.rows[1]!.cells.R.status, 'mitigated');
  assert.deepEqual(m.rows[1]!.findings, [{ id: 'a/b@3', outcome: 'blocked' }]);
});

test('the full run reproduces the per-step picture of DESIGN.md §4', () => {
  const m = strideMatrix(fullRun());
  const status = (step: number) => {
    const row = m.rows.find((r) => r.step === step)!;
    return (['S', 'T', 'R', 'I', 'D', 'E'] as const).map((c) => row.cells[c].status[0]).join('');
  };
  // e = exposed, m = mitigated, n = not tested
  assert.equal(status(1), 'eeeene');
  assert.equal(status(2), 'emeene');
  assert.equal(status(3), 'eeeeem');
  assert.equal(status(4), 'mmmemm');
  assert.deepEqual(m.rows[2]!.counts, { succeeded: 6, blocked: 6, notApplicable: 0 });
});
