/**
 * Everything the assessment derives from a run, in one language-neutral object: the matrix,
 * the step comparisons, the seed claims and the residual risks. The three report formats are
 * views of this; report.json carries it whole.
 */
import { type ClaimResult, checkClaims } from './claims.js';
import { consecutiveComparisons, type StepComparison } from './diff.js';
import { type StrideMatrix, strideMatrix } from './matrix.js';
import { type ResidualRisk, residualRisks } from './mitigations.js';
import type { LabRunResult } from './types.js';

export interface Assessment {
  readonly matrix: StrideMatrix;
  readonly comparisons: readonly StepComparison[];
  readonly claims: readonly ClaimResult[];
  readonly risks: readonly ResidualRisk[];
}

export function assess(result: LabRunResult): Assessment {
  const matrix = strideMatrix(result);
  return {
    matrix,
    comparisons: consecutiveComparisons(matrix),
    claims: checkClaims(result.findings),
    risks: residualRisks(result),
  };
}
