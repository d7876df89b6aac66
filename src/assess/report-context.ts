/** What every part of the report builder needs: the run, its assessment, the language. */
import type { Lang, StrideCategory, Text } from '../core/findings.js';
import { STRIDE_NAMES } from '../core/findings.js';
import { type Assessment, assess } from './assessment.js';
import type { Inline } from './doc.js';
import { findingAnchor } from './links.js';
import type { LabRunResult } from './types.js';

export interface ReportContext {
  readonly lang: Lang;
  readonly result: LabRunResult;
  readonly assessment: Assessment;
  /** The sentence in the report's language. */
  t(text: Text): string;
  /** A link to a finding's section, showing its id. */
  findingLink(id: string): Inline;
}

export function reportContext(result: LabRunResult, lang: Lang, assessment = assess(result)): ReportContext {
  const t = (text: Text) => text[lang];
  return {
    lang,
    result,
    assessment,
    t,
    findingLink: (id) => ({ href: `#${findingAnchor(id)}`, text: id, code: true }),
  };
}

/** "S Usurpation · T Falsification · …": the matrix's column legend. */
export function strideLegend(lang: Lang, categories: readonly StrideCategory[]): string {
  return categories.map((c) => `${c} ${STRIDE_NAMES[c][lang]}`).join(' · ');
}
