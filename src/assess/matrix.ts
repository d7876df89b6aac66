/**
 * The STRIDE matrix: one row per step that ran, one cell per category, each cell derived from
 * the findings alone (DESIGN.md §2.1: no cell is static text). A cell with no evidence is
 * "not tested", never "mitigated": absence of a finding proves nothing.
 */
import {
  type Finding,
  type Outcome,
  type StepNumber,
  STRIDE_CATEGORIES,
  type StrideCategory,
} from '../core/findings.js';
import { type LabRunResult, stepsThatRan } from './types.js';

/**
 * exposed: at least one attack in this category succeeded; mitigated: attacks ran and every one
 * was blocked; not-tested: nothing ran here, or only probes that found nothing to attack.
 */
export type CellStatus = 'exposed' | 'mitigated' | 'not-tested';

export interface MatrixCell {
  readonly category: StrideCategory;
  readonly status: CellStatus;
  /** Succeeded first, then blocked, then not-applicable; the first is the cell's evidence link. */
  readonly findingIds: readonly string[];
}

export interface StepCounts {
  readonly succeeded: number;
  readonly blocked: number;
  readonly notApplicable: number;
}

/** A finding as the matrix keeps it: enough to compare steps without the full record. */
export interface FindingRef {
  readonly id: string;
  readonly outcome: Outcome;
}

export interface MatrixRow {
  readonly step: StepNumber;
  readonly cells: Readonly<Record<StrideCategory, MatrixCell>>;
  readonly counts: StepCounts;
  readonly findings: readonly FindingRef[];
}

export interface StrideMatrix {
  readonly rows: readonly MatrixRow[];
}

const OUTCOME_RANK: Readonly<Record<Outcome, number>> = { succeeded: 0, blocked: 1, 'not-applicable': 2 };

export function strideMatrix(result: LabRunResult): StrideMatrix {
  return { rows: stepsThatRan(result).map((s) => matrixRow(result.findings, s.step)) };
}

export function matrixRow(findings: readonly Finding[], step: StepNumber): MatrixRow {
  const here = findings.filter((f) => f.step === step);
  const cells = {} as Record<StrideCategory, MatrixCell>;
  for (const category of STRIDE_CATEGORIES) cells[category] = cellOf(here, category);
  return {
    step,
    cells,
    counts: {
      succeeded: here.filter((f) => f.outcome === 'succeeded').length,
      blocked: here.filter((f) => f.outcome === 'blocked').length,
      notApplicable: here.filter((f) => f.outcome === 'not-applicable').length,
    },
    findings: here.map((f) => ({ id: f.id, outcome: f.outcome })),
  };
}

/** A finding counts in every category of its `stride` array, not only the primary one. */
export function cellOf(findings: readonly Finding[], category: StrideCategory): MatrixCell {
  const inCell = findings
    .filter((f) => f.stride.includes(category))
    // Array.prototype.sort is stable: within an outcome, the attacks' own order is kept.
    .sort((a, b) => OUTCOME_RANK[a.outcome] - OUTCOME_RANK[b.outcome]);
  const status: CellStatus = inCell.some((f) => f.outcome === 'succeeded')
    ? 'exposed'
    : inCell.some((f) => f.outcome === 'blocked')
      ? 'mitigated'
      : 'not-tested';
  return { category, status, findingIds: inCell.map((f) => f.id) };
}

export function rowOf(matrix: StrideMatrix, step: StepNumber): MatrixRow | undefined {
  return matrix.rows.find((r) => r.step === step);
}
