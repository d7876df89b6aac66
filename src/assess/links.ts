/**
 * Anchors and links shared by the Markdown and HTML reports, so a matrix cell and the finding
 * section it points to can never disagree on a name.
 */

/**
 * `flash-dump/key@2` → `f-flash-dump_key.2`. Injective: letters, digits and "-" stay, "/" and
 * "@" (in every id) get short readable forms, anything else becomes `~hex~`; "_", "." and "~"
 * themselves are escaped, so two ids never share an anchor.
 */
export function findingAnchor(id: string): string {
  let out = 'f-';
  for (const ch of id) {
    if (/^[A-Za-z0-9-]$/.test(ch)) out += ch;
    else if (ch === '/') out += '_';
    else if (ch === '@') out += '.';
    else out += `~${ch.codePointAt(0)!.toString(16)}~`;
  }
  return out;
}

export function stepAnchor(step: number): string {
  return `step-${step}`;
}

export function claimAnchor(id: string): string {
  return `claim-${findingAnchor(id).slice(2)}`;
}

/**
 * A link to a file beside the report, or undefined when the path is not a plain relative one:
 * an absolute path or a URL scheme (`javascript:`, `file:`, `C:`) in a finding must not become
 * a live link in the report.
 */
export function fileHref(path: string): string | undefined {
  if (path === '' || path.startsWith('/') || path.startsWith('\\')) return undefined;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) return undefined;
  // Control characters (a newline, a NUL) have no place in a file name the lab wrote.
  if ([...path].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return undefined;
  return path
    .split(/[\\/]/)
    .map((seg) =>
      encodeURIComponent(seg).replace(/[()'!*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');
}

export const MAX_EVIDENCE_CHARS = 4000;

/** Cut long evidence for display; never between the two halves of a surrogate pair. */
export function clip(data: string, max = MAX_EVIDENCE_CHARS): { text: string; total: number; shown: number } {
  if (data.length <= max) return { text: data, total: data.length, shown: data.length };
  let end = max;
  const last = data.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { text: data.slice(0, end), total: data.length, shown: end };
}
