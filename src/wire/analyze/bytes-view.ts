import { isUtf8 } from 'node:buffer';
import type { BytesView, Evidence, Observation } from './types.js';

/** Payload bytes kept per message in the analysis; the length is always the real one. */
export const PREVIEW_BYTES = 4096;
/** Evidence units listed per observation. */
export const MAX_EVIDENCE = 10;

// Control characters other than tab, LF and CR make text unreadable in a report: show hex.
// Written as "only other characters, start to end": one loop over the text, about twice as fast
// as searching for a control character from each position.
// eslint-disable-next-line no-control-regex
const READABLE = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;

/** Text when the bytes are printable UTF-8, hex otherwise; at most PREVIEW_BYTES of them. */
export function bytesView(bytes: Uint8Array): BytesView {
  const truncated = bytes.length > PREVIEW_BYTES;
  // A Buffer that needs no cut is read as it is: no view made per message.
  const buf =
    !truncated && Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, PREVIEW_BYTES));
  // A cut can split a multi-byte character: judge the text on the whole value when it is small
  // (when nothing was cut, `buf` is the whole value).
  if (isUtf8(buf) || (truncated && isUtf8(trimPartial(buf)))) {
    const text = (truncated ? trimPartial(buf) : buf).toString('utf8');
    if (READABLE.test(text)) return { bytes: bytes.length, text, truncated };
  }
  return { bytes: bytes.length, hex: buf.toString('hex'), truncated };
}

/** How a BytesView reads in one line of a report: the text itself (line breaks escaped) or hex. */
export function showBytes(v: BytesView, max = 80): string {
  if (v.bytes === 0) return '(empty)';
  // Only the first `max` characters can show, and escaping never shortens: a longer value is
  // escaped from its first `max` characters only (the same result as cutting the whole one).
  const shown = v.text !== undefined ? v.text : `hex ${v.hex}`;
  const long = shown.length > max;
  const head = long ? shown.slice(0, max) : shown;
  const body = v.text !== undefined && hasBreak(head) ? head.replace(BREAKS, escapeBreak) : head;
  const cut = long || body.length > max ? `${body.slice(0, max - 1)}…` : body;
  const whole = !long && cut === body;
  return v.text !== undefined && !v.truncated && whole ? body : `${cut} (${v.bytes} bytes)`;
}

const BREAKS = /[\t\n\r]/g;
const ESCAPED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escapeBreak = (c: string): string => ESCAPED[c]!;
/** Three searches for one character are faster than a regular expression that finds none. */
const hasBreak = (s: string): boolean => s.includes('\n') || s.includes('\r') || s.includes('\t');

/** Drop the bytes of a UTF-8 sequence cut at the end. */
function trimPartial(buf: Buffer): Buffer {
  for (let back = 1; back <= 4 && back <= buf.length; back++) {
    const b = buf[buf.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead
    const needed = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    return back < needed ? buf.subarray(0, buf.length - back) : buf;
  }
  return buf;
}

export function observation(
  item: Observation['item'],
  verdict: Observation['verdict'],
  value: string | undefined,
  detail: string,
  evidence: readonly (Evidence | undefined)[] = [],
): Observation {
  // An array of the exact length: one grown by push from [] reserves 17 slots, and a capture's
  // observations are kept by the tens of thousands.
  let n = 0;
  for (const e of evidence) if (e !== undefined && n < MAX_EVIDENCE) n++;
  const kept = new Array<Evidence>(n);
  let i = 0;
  for (const e of evidence) if (e !== undefined && i < n) kept[i++] = e;
  // Two literals, not a conditional spread: no object made only to be copied.
  return value === undefined
    ? { item, verdict, detail, evidence: kept }
    : { item, verdict, value, detail, evidence: kept };
}
