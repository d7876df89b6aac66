import type { CertificateDescription, CrlDescription, CsrDescription } from '../pki/inspect.js';

/** Two aligned columns. */
export function table(rows: readonly (readonly [string, string | undefined])[]): string {
  const kept = rows.filter((r): r is readonly [string, string] => r[1] !== undefined && r[1] !== '');
  const width = Math.max(...kept.map(([k]) => k.length));
  return kept.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}

/** The rows the lab sheet asks students to fill in: O, OU, CN, signature algorithm, key size. */
function labRows(d: {
  subjectFields: Readonly<Record<string, string>>;
  signatureAlgorithm: string;
  publicKey: string;
  keyBits?: number;
}): [string, string][] {
  return [
    ['Organisation (O)', d.subjectFields.O ?? '-'],
    ['Organisational Unit (OU)', d.subjectFields.OU ?? '-'],
    ['Common Name (CN)', d.subjectFields.CN ?? '-'],
    ['Signature algorithm', d.signatureAlgorithm],
    ['Key size', `${d.publicKey}${d.keyBits ? ` (${d.keyBits} bits)` : ''}`],
  ];
}

/** The lab sheet's table (O, OU, CN, signature algorithm, key size, valid until) first, then the rest. */
export function certificateText(d: CertificateDescription): string {
  const bc = d.basicConstraints
    ? `CA:${d.basicConstraints.ca ? 'TRUE' : 'FALSE'}${d.basicConstraints.pathLen !== undefined ? `, pathlen:${d.basicConstraints.pathLen}` : ''}`
    : undefined;
  return table([
    ...labRows(d),
    ['Valid until', d.notAfter],
    ['Valid from', d.notBefore],
    ['Subject', d.subject],
    ['Issuer', d.selfSigned ? `${d.issuer} (self-signed)` : d.issuer],
    ['Serial', d.serial],
    ['SHA-256 fingerprint', d.fingerprintSha256],
    ['Basic constraints', bc],
    ['Key usage', d.keyUsage.join(', ')],
    ['Extended key usage', d.extKeyUsage.join(', ')],
    ['Subject alt. names', d.subjectAltNames.join(', ')],
    ['Subject key id', d.subjectKeyId],
    ['Authority key id', d.authorityKeyId],
    ['Unhandled critical', d.unhandledCriticalExtensions.join(', ')],
  ]);
}

export function csrText(d: CsrDescription): string {
  return table([
    ...labRows(d),
    ['Subject', d.subject],
    ['Self-signature', d.signatureValid ? 'valid (proof of possession)' : 'INVALID'],
    ['Requested SANs', d.requestedSubjectAltNames.join(', ')],
    ['Requested extensions', d.requestedExtensions.join(', ')],
  ]);
}

export function crlText(d: CrlDescription): string {
  const head = table([
    ['Issuer', d.issuer],
    ['Signature algorithm', d.signatureAlgorithm],
    ['CRL number', d.crlNumber?.toString()],
    ['This update', d.thisUpdate],
    ['Next update', d.nextUpdate],
    ['Revoked', String(d.revoked.length)],
  ]);
  const rows = d.revoked.map((r) => `    ${r.serial}  ${r.revokedAt}  ${r.reason}`);
  return [head, ...rows].join('\n');
}
