/**
 * The report for machines: the whole run plus everything derived from it. Objects are rebuilt
 * field by field so the key order is fixed by this file, not by whoever built the findings —
 * two runs with the same seed diff line by line. Evidence data is never truncated here.
 */
import { type Evidence, type Finding, STRIDE_CATEGORIES } from '../core/findings.js';
import { type Assessment, assess } from './assessment.js';
import type { ClaimResult } from './claims.js';
import type { CaseChange, CellChange, StepComparison } from './diff.js';
import type { MatrixRow } from './matrix.js';
import type { ResidualRisk } from './mitigations.js';
import type { LabRunResult, StepRun } from './types.js';

export const REPORT_SCHEMA = 'mqtts-lab/report@1';

export function reportJson(
  result: LabRunResult,
  assessment: Assessment = assess(result),
): Record<string, unknown> {
  return {
    schema: REPORT_SCHEMA,
    tool: result.tool,
    seed: result.seed,
    broker: result.broker,
    startedAt: result.startedAt,
    durationMs: result.durationMs,
    steps: result.steps.map(stepJson),
    findings: result.findings.map(findingJson),
    matrix: { rows: assessment.matrix.rows.map(rowJson) },
    comparisons: assessment.comparisons.map(comparisonJson),
    claims: assessment.claims.map(claimJson),
    risks: assessment.risks.map(riskJson),
  };
}

export function renderJson(result: LabRunResult, assessment?: Assessment): string {
  return `${JSON.stringify(reportJson(result, assessment), null, 2)}\n`;
}

const text = (t: { en: string; fr: string }) => ({ en: t.en, fr: t.fr });

/** Optional fields are left out when absent (JSON has no undefined), in a fixed place when present. */
function opt<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function stepJson(s: StepRun) {
  return {
    step: s.step,
    ran: s.ran,
    broker: s.broker,
    listener: s.listener,
    keySource: s.keySource,
    ...opt('tlsVersion', s.tlsVersion),
    ...opt('cipher', s.cipher),
    readings: { published: s.readings.published, received: s.readings.received },
    ...opt('captureFile', s.captureFile),
    durationMs: s.durationMs,
    notes: s.notes.map(text),
  };
}

function findingJson(f: Finding) {
  return {
    id: f.id,
    attack: f.attack,
    step: f.step,
    stride: [...f.stride],
    title: text(f.title),
    attempted: text(f.attempted),
    outcome: f.outcome,
    result: text(f.result),
    evidence: f.evidence.map(evidenceJson),
    ...opt('mitigation', f.mitigation && text(f.mitigation)),
  };
}

function evidenceJson(e: Evidence) {
  return {
    kind: e.kind,
    label: text(e.label),
    data: e.data,
    ...opt('file', e.file),
    ...opt('packets', e.packets && [...e.packets]),
  };
}

function rowJson(r: MatrixRow) {
  const cells = Object.fromEntries(
    STRIDE_CATEGORIES.map((c) => [c, { status: r.cells[c].status, findingIds: [...r.cells[c].findingIds] }]),
  );
  return {
    step: r.step,
    counts: {
      succeeded: r.counts.succeeded,
      blocked: r.counts.blocked,
      notApplicable: r.counts.notApplicable,
    },
    cells,
  };
}

function cellChangeJson(c: CellChange) {
  return { category: c.category, from: c.from, to: c.to, fromIds: [...c.fromIds], toIds: [...c.toIds] };
}

function caseJson(c: CaseChange) {
  const side = (s: CaseChange['from']) => s && { id: s.id, outcome: s.outcome };
  return { case: c.case, kind: c.kind, ...opt('from', side(c.from)), ...opt('to', side(c.to)) };
}

function comparisonJson(c: StepComparison) {
  return {
    from: c.from,
    to: c.to,
    fixed: c.fixed.map(cellChangeJson),
    remaining: c.remaining.map(cellChangeJson),
    regressed: c.regressed.map(cellChangeJson),
    introduced: c.introduced.map(cellChangeJson),
    untested: c.untested.map(cellChangeJson),
    cases: c.cases.map(caseJson),
  };
}

function claimJson(c: ClaimResult) {
  return {
    id: c.id,
    source: { file: c.source.file, where: text(c.source.where), quote: c.source.quote },
    claim: text(c.claim),
    verdict: c.verdict,
    because: text(c.because),
    findingIds: [...c.findingIds],
  };
}

function riskJson(r: ResidualRisk) {
  return {
    case: r.case,
    title: text(r.title),
    stride: [...r.stride],
    steps: [...r.steps],
    findingIds: [...r.findingIds],
    inLastStep: r.inLastStep,
    mitigation: text(r.mitigation),
    mitigationSource: r.mitigationSource,
  };
}
