/**
 * Write the three report files. Each is written atomically (temporary file, fsync, rename), so
 * a dashboard polling the directory never reads half a report; a report is derived data, so
 * replacing the previous run's is the expected behaviour.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../core/fs.js';
import { parseOptions, z } from '../core/options.js';
import { assess } from './assessment.js';
import { renderHtml } from './report-html.js';
import { renderJson } from './report-json.js';
import { renderMarkdown } from './report-md.js';
import type { LabRunResult } from './types.js';

export interface WriteReportOptions {
  /** An existing directory; the pcaps and evidence files the findings name are relative to it. */
  readonly dir: string;
  /** The language of report.md and report.html; report.json carries both. */
  readonly lang: 'en' | 'fr';
}

export const REPORT_FILES = ['report.md', 'report.html', 'report.json'] as const;

const schema = z.strictObject({ dir: z.string().min(1), lang: z.enum(['en', 'fr']) });

/** Returns the paths written, in the order of REPORT_FILES. */
export function writeReport(result: LabRunResult, options: WriteReportOptions): { files: string[] } {
  const o = parseOptions(schema, options, 'writeReport');
  const assessment = assess(result);
  const content: Record<(typeof REPORT_FILES)[number], string> = {
    'report.md': renderMarkdown(result, o.lang, assessment),
    'report.html': renderHtml(result, o.lang, assessment),
    'report.json': renderJson(result, assessment),
  };
  // Render everything before writing anything: a rendering bug must not leave a mixed set.
  const files = REPORT_FILES.map((name) => join(o.dir, name));
  REPORT_FILES.forEach((name, i) => writeFileAtomic(files[i]!, content[name], { overwrite: true }));
  return { files };
}
