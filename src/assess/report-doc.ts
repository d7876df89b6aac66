/**
 * The report's document in one language: header, STRIDE summary, per-step sections, seed
 * claims, residual risks, findings in detail. Sentences come from findings (Text) or from
 * labels.ts; everything else shown is data.
 */
import { type Lang, STRIDE_CATEGORIES, STRIDE_NAMES } from '../core/findings.js';
import type { Assessment } from './assessment.js';
import { type Block, cell, type Doc, h, joined, p, type TableCell } from './doc.js';
import { L, STATUSES, VERDICTS } from './labels.js';
import { claimAnchor, findingAnchor, stepAnchor } from './links.js';
import { type ReportContext, reportContext, strideLegend } from './report-context.js';
import { findingDetails, stepSections } from './report-doc-steps.js';
import { colon, seconds } from './text.js';
import { type LabRunResult, stepsThatRan } from './types.js';

export function buildDoc(result: LabRunResult, lang: Lang, assessment?: Assessment): Doc {
  const ctx = reportContext(result, lang, assessment);
  return {
    lang,
    title: `${ctx.t(L.title)} — ${result.seed}`,
    blocks: [
      ...header(ctx),
      ...summary(ctx),
      h(2, ctx.t(L.steps), 'steps'),
      ...stepSections(ctx),
      ...claims(ctx),
      ...risks(ctx),
      ...findingDetails(ctx),
    ],
  };
}

function header({ t, result, lang }: ReportContext): Block[] {
  const ran = stepsThatRan(result).map((s) => s.step);
  const notRun = result.steps.filter((s) => !s.ran).map((s) => s.step);
  const list = (steps: number[]) => (steps.length === 0 ? t(L.none) : steps.join(', '));
  return [
    h(1, t(L.title)),
    {
      kind: 'fields',
      rows: [
        [t(L.tool), [{ code: result.tool }]],
        [t(L.seed), [{ code: result.seed }]],
        [t(L.broker), [result.broker]],
        [t(L.started), [result.startedAt]],
        [t(L.duration), [seconds(result.durationMs, lang)]],
        [t(L.stepsRun), [list(ran)]],
        ...(notRun.length > 0 ? [[t(L.stepsNotRun), [list(notRun)]] as const] : []),
        [t(L.findingCount), [String(result.findings.length)]],
      ],
    },
  ];
}

function summary({ t, assessment, lang }: ReportContext): Block[] {
  const rows = assessment.matrix.rows.map((row): TableCell[] => [
    cell([{ href: `#${stepAnchor(row.step)}`, text: `${t(L.step)} ${row.step}` }]),
    ...STRIDE_CATEGORIES.map((c) => {
      const { status, findingIds } = row.cells[c];
      const s = STATUSES[status];
      const first = findingIds[0];
      const title = `${STRIDE_NAMES[c][lang]}${colon(lang)}${s[lang]}`;
      return cell(
        first === undefined ? [s.symbol] : [{ href: `#${findingAnchor(first)}`, text: s.symbol, title }],
        status,
      );
    }),
    cell(String(row.counts.succeeded)),
    cell(String(row.counts.blocked)),
    cell(String(row.counts.notApplicable)),
  ]);
  return [
    h(2, t(L.summary), 'summary'),
    {
      kind: 'table',
      variant: 'matrix',
      head: [t(L.step), ...STRIDE_CATEGORIES, t(L.succeeded), t(L.blocked), t(L.notApplicable)],
      rows,
    },
    p(strideLegend(lang, STRIDE_CATEGORIES)),
    p(t(L.legend)),
  ];
}

function claims({ t, assessment, findingLink }: ReportContext): Block[] {
  const out: Block[] = [
    h(2, t(L.claims), 'claims'),
    p(t(L.claimsIntro)),
    {
      kind: 'table',
      head: [t(L.claim), t(L.verdict)],
      rows: assessment.claims.map((c) => [
        cell([{ href: `#${claimAnchor(c.id)}`, text: c.id, code: true }, ' ', t(c.claim)]),
        cell([{ mark: c.verdict, text: t(VERDICTS[c.verdict]) }], c.verdict),
      ]),
    },
  ];
  for (const c of assessment.claims) {
    out.push(
      h(3, [{ code: c.id }, ' — ', { mark: c.verdict, text: t(VERDICTS[c.verdict]) }], claimAnchor(c.id)),
      {
        kind: 'quote',
        content: [`« ${c.source.quote} »`, ' — ', { code: c.source.file }, `, ${t(c.source.where)}`],
      },
      {
        kind: 'fields',
        rows: [
          [t(L.claim), [t(c.claim)]],
          [t(L.verdict), [{ mark: c.verdict, text: t(VERDICTS[c.verdict]) }]],
          [t(L.because), [t(c.because)]],
          ...(c.findingIds.length > 0
            ? [[t(L.evidence), joined(c.findingIds.map(findingLink))] as const]
            : []),
        ],
      },
    );
  }
  return out;
}

function risks({ t, assessment, findingLink }: ReportContext): Block[] {
  if (assessment.risks.length === 0) return [h(2, t(L.risks), 'risks'), p(t(L.noRisks))];
  return [
    h(2, t(L.risks), 'risks'),
    {
      kind: 'table',
      head: [t(L.risk), 'STRIDE', t(L.steps), t(L.openAtEnd), t(L.mitigation), t(L.evidence)],
      rows: assessment.risks.map((r) => [
        cell([{ code: r.case }, ' ', t(r.title)]),
        cell(r.stride.join(' ')),
        cell(r.steps.join(', ')),
        r.inLastStep ? cell([{ mark: 'exposed', text: t(L.yes) }], 'exposed') : cell(t(L.no)),
        cell([
          t(r.mitigation),
          ...(r.mitigationSource === 'none'
            ? []
            : [` (${t(r.mitigationSource === 'finding' ? L.fromFinding : L.fromCatalog)})`]),
        ]),
        cell(joined(r.findingIds.map(findingLink))),
      ]),
    },
  ];
}
