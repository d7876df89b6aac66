/**
 * The report as one self-contained HTML page: inline CSS, no script, no external URL. All text
 * is escaped, and a Content-Security-Policy forbids scripts as a second line of defence: the
 * evidence is attacker-influenced data (bytes read off a bus, a broker log).
 */
import type { Lang } from '../core/findings.js';
import type { Assessment } from './assessment.js';
import type { Block, Content, Doc, Inline } from './doc.js';
import { REPORT_CSS } from './html-style.js';
import { buildDoc } from './report-doc.js';
import type { LabRunResult } from './types.js';

export function renderHtml(result: LabRunResult, lang: Lang, assessment?: Assessment): string {
  return docToHtml(buildDoc(result, lang, assessment));
}

const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export function docToHtml(doc: Doc): string {
  return [
    '<!DOCTYPE html>',
    `<html lang="${doc.lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="mqtts-lab">',
    `<title>${escapeHtml(doc.title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...doc.blocks.map(block),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function block(b: Block): string {
  switch (b.kind) {
    case 'heading': {
      const id = b.id === undefined ? '' : ` id="${escapeHtml(b.id)}"`;
      return `<h${b.level}${id}>${inline(b.text)}</h${b.level}>`;
    }
    case 'para':
      return `<p>${inline(b.content)}</p>`;
    case 'quote':
      return `<blockquote>${inline(b.content)}</blockquote>`;
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`;
    case 'fields':
      return `<dl>${b.rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${inline(v)}</dd>`).join('')}</dl>`;
    case 'table': {
      const cls = b.variant === undefined ? '' : ` class="${b.variant}"`;
      const head = `<thead><tr>${b.head.map((x) => `<th scope="col">${escapeHtml(x)}</th>`).join('')}</tr></thead>`;
      const rows = b.rows
        .map((r) => {
          const cells = r.map((c) => `<td${c.mark ? ` class="m-${c.mark}"` : ''}>${inline(c.content)}</td>`);
          return `<tr>${cells.join('')}</tr>`;
        })
        .join('\n');
      return `<div class="scroll"><table${cls}>${head}<tbody>\n${rows}\n</tbody></table></div>`;
    }
    case 'code':
      return `<pre><code>${escapeHtml(b.text)}</code></pre>`;
  }
}

function inline(content: Content): string {
  return content.map(one).join('');
}

function one(x: Inline): string {
  if (typeof x === 'string') return escapeHtml(x);
  if ('href' in x) {
    const label = x.code ? `<code>${escapeHtml(x.text)}</code>` : escapeHtml(x.text);
    const title = x.title === undefined ? '' : ` title="${escapeHtml(x.title)}"`;
    return `<a href="${escapeHtml(x.href)}"${title}>${label}</a>`;
  }
  if ('code' in x) return `<code>${escapeHtml(x.code)}</code>`;
  if ('strong' in x) return `<strong>${escapeHtml(x.strong)}</strong>`;
  return `<span class="m-${x.mark}">${escapeHtml(x.text)}</span>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
