import { LabError } from '../../core/errors.js';
import { REVOCATION_REASONS, type RevocationReason } from '../crl.js';

/**
 * The issued-certificate index in openssl ca's index.txt format (see openssl-ca(1), "FILES"),
 * so `openssl ca -gencrl` and scripts written for it read our store. One line a certificate:
 * status (V valid, R revoked, E expired), expiry, revocation date[,reason], serial (hex),
 * file name ("unknown"), subject (/-separated).
 */
export interface IndexEntry {
  readonly status: 'V' | 'R' | 'E';
  readonly notAfter: Date;
  readonly revokedAt?: Date;
  readonly reason?: RevocationReason;
  readonly serial: string;
  readonly subject: string;
}

export function parseIndex(text: string, what = 'index.txt'): IndexEntry[] {
  const out: IndexEntry[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const bad = (why: string) =>
      new LabError('ERR_PKI_INDEX_MALFORMED', `${what} line ${i + 1}: ${why}`, { details: { line: i + 1 } });
    const f = line.split('\t');
    if (f.length !== 6) throw bad(`expected 6 tab-separated fields, found ${f.length}`);
    const [status, exp, rev, serial, , subject] = f as [string, string, string, string, string, string];
    if (status !== 'V' && status !== 'R' && status !== 'E') throw bad(`unknown status "${status}"`);
    if (!/^[0-9A-F]+$/.test(serial)) throw bad(`serial "${serial}" is not uppercase hex`);
    const notAfter = parseAsn1Time(exp);
    if (!notAfter) throw bad(`expiry "${exp}" is not YYMMDDHHMMSSZ`);
    let revokedAt: Date | undefined;
    let reason: RevocationReason | undefined;
    if (status === 'R') {
      const [date, why] = rev.split(',');
      revokedAt = parseAsn1Time(date ?? '');
      if (!revokedAt) throw bad(`revocation date "${rev}" is not YYMMDDHHMMSSZ`);
      reason = why === undefined ? 'unspecified' : REVOCATION_REASONS.find((r) => r === why);
      if (!reason) throw bad(`unknown revocation reason "${why}"`);
    } else if (rev !== '') throw bad('a revocation date on a certificate that is not revoked');
    out.push({ status, notAfter, revokedAt, reason, serial, subject });
  });
  return out;
}

export function formatIndex(entries: readonly IndexEntry[]): string {
  return entries
    .map((e) => {
      const rev =
        e.status === 'R' && e.revokedAt
          ? asn1Time(e.revokedAt) + (e.reason && e.reason !== 'unspecified' ? `,${e.reason}` : '')
          : '';
      return [e.status, asn1Time(e.notAfter), rev, e.serial, 'unknown', e.subject].join('\t') + '\n';
    })
    .join('');
}

/** UTCTime YYMMDDHHMMSSZ through 2049, GeneralizedTime after, as RFC 5280 §4.1.2.5 and openssl do. */
export function asn1Time(d: Date): string {
  const iso = d.toISOString();
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  return d.getUTCFullYear() < 2050 ? `${digits.slice(2)}Z` : `${digits}Z`;
}

function parseAsn1Time(s: string): Date | undefined {
  const m = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  let year = Number(m[1]);
  if (m[1]!.length === 2) year += year < 50 ? 2000 : 1900;
  const d = new Date(
    Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])),
  );
  return Number.isNaN(d.getTime()) ? undefined : d;
}
