/** Building bilingual sentences: every part is a Text, or a string that reads the same in both (an id). */
import type { Lang, Text } from '../core/findings.js';

export type Part = Text | string;

export function pick(part: Part, lang: Lang): string {
  return typeof part === 'string' ? part : part[lang];
}

export function cat(...parts: Part[]): Text {
  return { en: parts.map((p) => pick(p, 'en')).join(''), fr: parts.map((p) => pick(p, 'fr')).join('') };
}

export function joinText(parts: readonly Part[], sep: Part = ', '): Text {
  const out: Part[] = [];
  parts.forEach((p, i) => out.push(...(i === 0 ? [p] : [sep, p])));
  return cat(...out);
}

/** "1.5 s" / "1,5 s": the French report uses the decimal comma. */
export function seconds(ms: number, lang: Lang): string {
  const s = (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
  return `${lang === 'fr' ? s.replace('.', ',') : s} s`;
}

/** French puts a space before a colon. */
export function colon(lang: Lang): string {
  return lang === 'fr' ? ' : ' : ': ';
}
