/**
 * The report as Markdown (GitHub-flavoured: pipe tables, raw `<a id>` anchors). Every string
 * from a finding is escaped, so a title holding `<script>` or `|` shows as text and cannot
 * break a table or inject HTML into a renderer that allows it.
 */
import type { Lang } from '../core/findings.js';
import type { Assessment } from './assessment.js';
import type { Block, Content, Doc, Inline } from './doc.js';
import { colon } from './text.js';
import { buildDoc } from './report-doc.js';
import type { LabRunResult } from './types.js';

export function renderMarkdown(result: LabRunResult, lang: Lang, assessment?: Assessment): string {
  return docToMarkdown(buildDoc(result, lang, assessment));
}

export function docToMarkdown(doc: Doc): string {
  const parts = doc.blocks.map((b) => block(b, doc.lang));
  return `${parts.join('\n\n')}\n`;
}

function block(b: Block, lang: Lang): string {
  switch (b.kind) {
    case 'heading': {
      const text = `${'#'.repeat(b.level)} ${inline(b.text)}`;
      return b.id === undefined ? text : `<a id="${b.id}"></a>\n\n${text}`;
    }
    case 'para':
      return lineStart(inline(b.content));
    case 'quote':
      return `> ${inline(b.content)}`;
    case 'list':
      return b.items.map((item) => `- ${inline(item)}`).join('\n');
    case 'fields':
      return b.rows.map(([label, value]) => `- **${text(label)}**${colon(lang)}${inline(value)}`).join('\n');
    case 'table': {
      const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
      return [
        row(b.head.map((x) => text(x))),
        row(b.head.map(() => '---')),
        ...b.rows.map((r) => row(r.map((c) => inline(c.content, true)))),
      ].join('\n');
    }
    case 'code':
      return codeBlock(b.text);
  }
}

function inline(content: Content, inTable = false): string {
  return content.map((x) => one(x, inTable)).join('');
}

function one(x: Inline, inTable: boolean): string {
  if (typeof x === 'string') return text(x);
  if ('code' in x && !('href' in x)) return code(x.code, inTable);
  if ('strong' in x) return `**${text(x.strong)}**`;
  if ('mark' in x) return text(x.text);
  const label = x.code ? code(x.text, inTable) : text(x.text);
  const title = x.title === undefined ? '' : ` "${x.title.replace(/["\\]/g, '\\$&')}"`;
  // encodeURIComponent leaves "(" and ")" alone, and either would end the link destination.
  const href = x.href.replace(
    /[()\s<>]/g,
    (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`,
  );
  return `[${label}](${href}${title})`;
}

/**
 * Backslash-escape the ASCII punctuation CommonMark could read as markup; any ASCII
 * punctuation may be escaped, so this never shows a stray backslash. Newlines become spaces:
 * inline text is one line (and a table row must be).
 */
export function text(s: string): string {
  return s.replace(/\r\n|[\r\n]+/g, ' ').replace(/[\\`*_[\]<>&#~|]/g, '\\$&');
}

/** An inline code span: delimited by one more backtick than the longest run inside it. */
function code(s: string, inTable: boolean): string {
  const flat = s.replace(/\r\n|[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  // GFM splits table cells on "|" before reading code spans, so a pipe needs its escape there too.
  const body = inTable ? flat.replace(/\|/g, '\\|') : flat;
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** A fenced block whose fence is longer than any backtick run in the data, so data cannot close it. */
function codeBlock(data: string): string {
  const longest = Math.max(0, ...(data.match(/`{3,}/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  const body = data.endsWith('\n') ? data : `${data}\n`;
  return `${fence}text\n${body}${fence}`;
}

/** A paragraph starting with "-", "+" or "1." would become a list item. */
function lineStart(s: string): string {
  return s.replace(/^([-+]|\d+[.)])/, (m) =>
    m.length === 1 ? `\\${m}` : `${m.slice(0, -1)}\\${m.slice(-1)}`,
  );
}
