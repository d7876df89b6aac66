/**
 * What a step changed relative to an earlier one: which exposed STRIDE cells it closed, which
 * stayed open, which it opened, and which attack cases changed outcome. This is the report's
 * "what Step 3 fixed, what it did not" — the answer the seeds give in prose, here from evidence.
 */
import { LabError } from '../core/errors.js';
import { type Outcome, type StepNumber, STRIDE_CATEGORIES, type StrideCategory } from '../core/findings.js';
import { type CellStatus, type MatrixRow, rowOf, type StrideMatrix } from './matrix.js';
import { caseOf } from './types.js';

export interface CellChange {
  readonly category: StrideCategory;
  readonly from: CellStatus;
  readonly to: CellStatus;
  readonly fromIds: readonly string[];
  readonly toIds: readonly string[];
}

/**
 * fixed: succeeded → blocked or not applicable; remaining: succeeded in both; regressed:
 * blocked → succeeded; new: succeeded where it was not attempted or had nothing to attack
 * (Step 2 adds a key in flash that Step 1 did not have); untested: succeeded before, absent
 * after — not evidence of a fix; unchanged / changed: the rest.
 */
export type CaseChangeKind =
  'fixed' | 'remaining' | 'regressed' | 'new' | 'untested' | 'unchanged' | 'changed';

export interface CaseChange {
  /** The finding id without its `@step`, e.g. `i2c/read-slot8`. */
  readonly case: string;
  readonly kind: CaseChangeKind;
  /** Absent when the case did not run in that step. */
  readonly from?: { readonly id: string; readonly outcome: Outcome };
  readonly to?: { readonly id: string; readonly outcome: Outcome };
}

export interface StepComparison {
  readonly from: StepNumber;
  readonly to: StepNumber;
  /** Exposed → mitigated. */
  readonly fixed: readonly CellChange[];
  /** Exposed in both. */
  readonly remaining: readonly CellChange[];
  /** Mitigated → exposed. */
  readonly regressed: readonly CellChange[];
  /** Not tested → exposed. */
  readonly introduced: readonly CellChange[];
  /** Exposed → not tested: the later step did not look, so nothing is known to be fixed. */
  readonly untested: readonly CellChange[];
  /** Every attack case seen in either step, in first-seen order. */
  readonly cases: readonly CaseChange[];
}

export function compareSteps(matrix: StrideMatrix, from: StepNumber, to: StepNumber): StepComparison {
  const a = rowOf(matrix, from);
  const b = rowOf(matrix, to);
  if (a === undefined || b === undefined)
    throw new LabError('ERR_OPTIONS_INVALID', `compareSteps: step ${a ? to : from} is not in the matrix`, {
      details: { from, to, steps: matrix.rows.map((r) => r.step) },
    });
  const changes = STRIDE_CATEGORIES.map((c) => cellChange(a, b, c));
  const where = (f: CellStatus, t: CellStatus) => changes.filter((c) => c.from === f && c.to === t);
  return {
    from,
    to,
    fixed: where('exposed', 'mitigated'),
    remaining: where('exposed', 'exposed'),
    regressed: where('mitigated', 'exposed'),
    introduced: where('not-tested', 'exposed'),
    untested: where('exposed', 'not-tested'),
    cases: caseChanges(a, b),
  };
}

/** Each step that ran against the previous one that ran (1→2, 2→3, 3→4 in a full run). */
export function consecutiveComparisons(matrix: StrideMatrix): StepComparison[] {
  return matrix.rows.slice(1).map((row, i) => compareSteps(matrix, matrix.rows[i]!.step, row.step));
}

function cellChange(a: MatrixRow, b: MatrixRow, category: StrideCategory): CellChange {
  const x = a.cells[category];
  const y = b.cells[category];
  return { category, from: x.status, to: y.status, fromIds: x.findingIds, toIds: y.findingIds };
}

function caseChanges(a: MatrixRow, b: MatrixRow): CaseChange[] {
  const names: string[] = [];
  for (const f of [...a.findings, ...b.findings]) if (!names.includes(caseOf(f.id))) names.push(caseOf(f.id));
  return names.map((name) => {
    const from = a.findings.find((f) => caseOf(f.id) === name);
    const to = b.findings.find((f) => caseOf(f.id) === name);
    return {
      case: name,
      kind: kindOf(from?.outcome, to?.outcome),
      ...(from && { from: { id: from.id, outcome: from.outcome } }),
      ...(to && { to: { id: to.id, outcome: to.outcome } }),
    };
  });
}

export function kindOf(from: Outcome | undefined, to: Outcome | undefined): CaseChangeKind {
  if (from === 'succeeded') {
    if (to === 'succeeded') return 'remaining';
    return to === undefined ? 'untested' : 'fixed';
  }
  if (to === 'succeeded') return from === 'blocked' ? 'regressed' : 'new';
  return from === to ? 'unchanged' : 'changed';
}
