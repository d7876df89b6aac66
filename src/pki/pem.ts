import { LabError } from '../core/errors.js';

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Encode DER as PEM (RFC 7468 §2: 64-character lines). */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Decode every PEM block of the accepted labels. Binary DER input (a SEQUENCE, 0x30) is
 * accepted as one block of the first label, as openssl's `-inform DER` would read it.
 * RFC 7468 §3: text outside the blocks (openssl's "Certificate:" dumps) is ignored.
 */
export function decodePem(input: string | Uint8Array, labels: readonly string[], what: string): PemBlock[] {
  if (typeof input !== 'string' && input.length > 0 && input[0] === 0x30) {
    return [{ label: labels[0]!, der: new Uint8Array(input) }];
  }
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const [, begin, body, end] = m;
    if (begin !== end) throw malformed(what, `BEGIN ${begin} does not match END ${end}`);
    if (!labels.includes(begin!)) continue;
    blocks.push({ label: begin!, der: decodeBody(body!, what) });
  }
  if (blocks.length === 0) {
    const found = [...text.matchAll(BLOCK)].map((m) => m[1]);
    const hint = found.length > 0 ? ` (found ${found.join(', ')})` : '';
    throw malformed(what, `no ${labels.join(' or ')} PEM block${hint}`);
  }
  return blocks;
}

export function decodeOnePem(input: string | Uint8Array, labels: readonly string[], what: string): PemBlock {
  const blocks = decodePem(input, labels, what);
  if (blocks.length > 1) throw malformed(what, `expected one ${labels[0]} block, found ${blocks.length}`);
  return blocks[0]!;
}

function decodeBody(body: string, what: string): Uint8Array {
  const lines = body
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (lines.some((l) => l.includes(':')))
    throw malformed(what, 'encrypted legacy PEM headers are only valid on keys');
  for (const l of lines) if (!BASE64_LINE.test(l)) throw malformed(what, 'invalid base64 in PEM body');
  const joined = lines.join('');
  if (joined.length % 4 !== 0) throw malformed(what, 'truncated base64 in PEM body');
  const der = new Uint8Array(Buffer.from(joined, 'base64'));
  if (der.length === 0) throw malformed(what, 'empty PEM body');
  return der;
}

function malformed(what: string, why: string): LabError {
  return new LabError('ERR_PEM_MALFORMED', `${what}: ${why}`, { details: { what } });
}
