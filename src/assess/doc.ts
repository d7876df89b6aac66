/**
 * The report as a small document tree, already in one language. The Markdown and HTML
 * renderers only serialize it, so both formats say exactly the same thing and every anchor a
 * link points to is produced by the same builder.
 */
import type { Lang } from '../core/findings.js';

/** Colour classes: a matrix status, a finding outcome or a claim verdict. */
export type Mark =
  | 'exposed'
  | 'mitigated'
  | 'not-tested'
  | 'succeeded'
  | 'blocked'
  | 'not-applicable'
  | 'holds'
  | 'fails'
  | 'partly'
  | 'unchecked';

export type Inline =
  | string
  | { readonly code: string }
  | { readonly strong: string }
  | { readonly href: string; readonly text: string; readonly code?: boolean; readonly title?: string }
  | { readonly mark: Mark; readonly text: string };

export type Content = readonly Inline[];

export interface TableCell {
  readonly content: Content;
  readonly mark?: Mark;
}

export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3 | 4; readonly text: Content; readonly id?: string }
  | { readonly kind: 'para'; readonly content: Content }
  | { readonly kind: 'list'; readonly items: readonly Content[] }
  | { readonly kind: 'fields'; readonly rows: ReadonlyArray<readonly [string, Content]> }
  | {
      readonly kind: 'table';
      readonly head: readonly string[];
      readonly rows: ReadonlyArray<readonly TableCell[]>;
      /** The STRIDE matrix is styled compact and centred in HTML. */
      readonly variant?: 'matrix';
    }
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'quote'; readonly content: Content };

export interface Doc {
  readonly lang: Lang;
  readonly title: string;
  readonly blocks: readonly Block[];
}

export const h = (level: 1 | 2 | 3 | 4, text: Content | string, id?: string): Block => ({
  kind: 'heading',
  level,
  text: typeof text === 'string' ? [text] : text,
  ...(id !== undefined && { id }),
});
export const p = (...content: Inline[]): Block => ({ kind: 'para', content });
export const cell = (content: Content | string, mark?: Mark): TableCell => ({
  content: typeof content === 'string' ? [content] : content,
  ...(mark && { mark }),
});

/** Inline items joined by a separator (", " between links, for instance). */
export function joined(items: readonly Inline[], sep = ', '): Inline[] {
  return items.flatMap((item, i) => (i === 0 ? [item] : [sep, item]));
}
