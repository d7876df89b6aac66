/**
 * The assessment (layer 5): findings in, STRIDE matrix, step comparisons, seed-claim checks,
 * residual risks and the Markdown / HTML / JSON report out. Imports only from core/.
 */
export { type Assessment, assess } from './assessment.js';
export {
  checkClaims,
  type Claim,
  type ClaimCheck,
  type ClaimResult,
  type ClaimSource,
  SEED_CLAIMS,
  type Verdict,
} from './claims.js';
export {
  type CaseChange,
  type CaseChangeKind,
  type CellChange,
  compareSteps,
  consecutiveComparisons,
  type StepComparison,
} from './diff.js';
export { claimAnchor, fileHref, findingAnchor, MAX_EVIDENCE_CHARS, stepAnchor } from './links.js';
export {
  type CellStatus,
  type FindingRef,
  type MatrixCell,
  type MatrixRow,
  type StepCounts,
  type StrideMatrix,
  strideMatrix,
} from './matrix.js';
export { catalogMitigation, type ResidualRisk, residualRisks } from './mitigations.js';
export { REPORT_FILES, type WriteReportOptions, writeReport } from './report.js';
export { escapeHtml, renderHtml } from './report-html.js';
export { REPORT_SCHEMA, renderJson, reportJson } from './report-json.js';
export { renderMarkdown } from './report-md.js';
export {
  type BrokerKind,
  caseOf,
  type KeySource,
  type LabRunResult,
  type StepRun,
  stepsThatRan,
} from './types.js';
