/**
 * The per-step sections (what ran, its findings, what it changed since the previous step) and
 * the findings in detail with their evidence.
 */
import { type Finding, STRIDE_NAMES } from '../core/findings.js';
import type { CaseChange, StepComparison } from './diff.js';
import { type Block, cell, type Content, h, type Inline, joined, type Mark, p } from './doc.js';
import {
  CASE_CHANGES,
  CELL_CHANGES,
  comparisonHeading,
  EVIDENCE_KINDS,
  KEY_SOURCES,
  L,
  OUTCOMES,
  stepHeading,
  truncated,
} from './labels.js';
import { clip, fileHref, findingAnchor, stepAnchor } from './links.js';
import type { ReportContext } from './report-context.js';
import { colon, seconds } from './text.js';
import { type StepRun, stepsThatRan } from './types.js';

export function stepSections(ctx: ReportContext): Block[] {
  return stepsThatRan(ctx.result).flatMap((run) => [
    h(3, ctx.t(stepHeading(run.step)), stepAnchor(run.step)),
    whatRan(ctx, run),
    ...run.notes.map((n) => p(ctx.t(n))),
    h(4, ctx.t(L.findings)),
    findingsTable(
      ctx,
      ctx.result.findings.filter((f) => f.step === run.step),
    ),
    ...comparison(
      ctx,
      ctx.assessment.comparisons.find((c) => c.to === run.step),
    ),
  ]);
}

function whatRan({ t, lang }: ReportContext, run: StepRun): Block {
  const href = run.captureFile === undefined ? undefined : fileHref(run.captureFile);
  const rows: Array<readonly [string, Content]> = [
    [t(L.broker), [run.broker]],
    [t(L.listener), [{ code: run.listener }]],
    [t(L.keySource), [t(KEY_SOURCES[run.keySource])]],
  ];
  if (run.tlsVersion !== undefined) rows.push([t(L.tlsVersion), [{ code: run.tlsVersion }]]);
  if (run.cipher !== undefined) rows.push([t(L.cipher), [{ code: run.cipher }]]);
  rows.push([t(L.readings), [`${run.readings.published} / ${run.readings.received}`]]);
  if (run.captureFile !== undefined)
    rows.push([
      t(L.capture),
      [href === undefined ? { code: run.captureFile } : { href, text: run.captureFile, code: true }],
    ]);
  rows.push([t(L.duration), [seconds(run.durationMs, lang)]]);
  return { kind: 'fields', rows };
}

function findingsTable({ t, findingLink }: ReportContext, findings: readonly Finding[]): Block {
  if (findings.length === 0) return p(t(L.noFindings));
  return {
    kind: 'table',
    head: [t(L.finding), 'STRIDE', t(L.attempted), t(L.outcome), t(L.result)],
    rows: findings.map((f) => [
      cell([findingLink(f.id)]),
      cell(f.stride.join(' ')),
      cell(t(f.attempted)),
      cell([{ mark: f.outcome, text: t(OUTCOMES[f.outcome]) }], f.outcome),
      cell(t(f.result)),
    ]),
  };
}

function comparison(ctx: ReportContext, c: StepComparison | undefined): Block[] {
  if (c === undefined) return [p(ctx.t(L.firstStep))];
  const { t, lang, findingLink } = ctx;
  const line = (label: keyof typeof CELL_CHANGES, changes: StepComparison['fixed'], always: boolean) => {
    if (changes.length === 0 && !always) return [];
    const items: Inline[] =
      changes.length === 0
        ? [t(L.nothing)]
        : joined(
            changes.map((x): Inline => `${x.category} ${STRIDE_NAMES[x.category][lang]}`),
            '; ',
          );
    return [[{ strong: t(CELL_CHANGES[label]) }, colon(lang), ...items]];
  };
  const cases = c.cases.filter((x) => x.kind !== 'unchanged');
  const outcome = (side: CaseChange['from']): Inline[] =>
    side === undefined
      ? [t(L.notRun)]
      : [findingLink(side.id), ' ', { mark: side.outcome, text: t(OUTCOMES[side.outcome]) }];
  return [
    h(4, t(comparisonHeading(c.from, c.to))),
    {
      kind: 'list',
      items: [
        ...line('fixed', c.fixed, true),
        ...line('remaining', c.remaining, true),
        ...line('regressed', c.regressed, false),
        ...line('introduced', c.introduced, false),
        ...line('untested', c.untested, false),
      ],
    },
    ...(cases.length === 0
      ? []
      : [
          p({ strong: t(L.cases) }),
          {
            kind: 'table' as const,
            head: [t(L.attackCase), `${t(L.step)} ${c.from}`, `${t(L.step)} ${c.to}`, t(L.change)],
            rows: cases.map((x) => [
              cell([{ code: x.case }]),
              cell(outcome(x.from)),
              cell(outcome(x.to)),
              cell(t(CASE_CHANGES[x.kind]), caseMark(x)),
            ]),
          },
        ]),
  ];
}

/** A case that succeeds in the later step is a live risk; one that stopped succeeding is a fix. */
function caseMark(x: CaseChange): Mark | undefined {
  if (x.kind === 'fixed') return 'mitigated';
  return x.to?.outcome === 'succeeded' ? 'exposed' : undefined;
}

export function findingDetails(ctx: ReportContext): Block[] {
  const { t, lang } = ctx;
  const seen = new Set<string>();
  const out: Block[] = [h(2, t(L.details), 'findings')];
  const ordered = [...ctx.result.findings].sort((a, b) => a.step - b.step);
  for (const f of ordered) {
    // Ids are unique by contract; should two collide, only the first carries the anchor.
    const id = seen.has(f.id) ? undefined : findingAnchor(f.id);
    seen.add(f.id);
    out.push(h(3, [{ code: f.id }, ' — ', t(f.title)], id), {
      kind: 'fields',
      rows: [
        [t(L.step), [{ href: `#${stepAnchor(f.step)}`, text: t(stepHeading(f.step)) }]],
        ['STRIDE', [f.stride.map((c) => `${c} ${STRIDE_NAMES[c][lang]}`).join(', ')]],
        [t(L.attack), [{ code: f.attack }]],
        [t(L.attempted), [t(f.attempted)]],
        [t(L.outcome), [{ mark: f.outcome, text: t(OUTCOMES[f.outcome]) }]],
        [t(L.result), [t(f.result)]],
        ...(f.mitigation === undefined ? [] : [[t(L.mitigation), [t(f.mitigation)]] as const]),
      ],
    });
    if (f.evidence.length > 0) out.push(h(4, t(L.evidence)));
    for (const e of f.evidence) {
      const href = e.file === undefined ? undefined : fileHref(e.file);
      const where: Inline[] = [];
      if (e.file !== undefined)
        where.push(
          ` — ${t(L.file)} `,
          href === undefined ? { code: e.file } : { href, text: e.file, code: true },
        );
      if (e.packets !== undefined && e.packets.length > 0)
        where.push(`, ${t(L.packets)} ${e.packets.join(', ')}`);
      out.push(p({ strong: t(e.label) }, ` (${t(EVIDENCE_KINDS[e.kind])})`, ...where));
      const shown = clip(e.data);
      out.push({ kind: 'code', text: shown.text });
      if (shown.shown < shown.total) out.push(p(t(truncated(shown.shown, shown.total))));
    }
  }
  return out;
}
