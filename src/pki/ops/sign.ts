import { basename, join } from 'node:path';
import { assertAbsent, readFileChecked } from '../../core/fs.js';
import { parseOptions, z } from '../../core/options.js';
import { type IssuingCa, issueCertificate } from '../ca.js';
import { certificateToPem, type ParsedCertificate } from '../certificate.js';
import { type ParsedCsr, parseCsr } from '../csr.js';
import { parseSan } from '../extensions.js';
import { getProfile } from '../profiles.js';
import { DEFAULT_PKI_DIR, PkiStore } from '../store/store.js';
import { clockSchema, daysSchema, rngSchema } from './common.js';

const schema = z.strictObject({
  dir: z.string().default(DEFAULT_PKI_DIR),
  /** Path of the CSR file (PEM or DER). */
  csr: z.string(),
  profile: z.string(),
  days: daysSchema.optional(),
  sans: z.array(z.string()).default([]),
  /** Output path; default <dir>/<csr name>.crt. */
  out: z.string().optional(),
  /** Passphrase of ca.key when it is encrypted. */
  passphrase: z.string().optional(),
  force: z.boolean().default(false),
  clock: clockSchema.optional(),
  rng: rngSchema.optional(),
});
export type SignOptions = z.input<typeof schema>;

export interface SignResult {
  readonly certificate: ParsedCertificate;
  readonly certPath: string;
  readonly csr: ParsedCsr;
  readonly warnings: readonly string[];
}

/** `pki sign CSR --profile P`: proof of possession, profile extensions, index entry, <name>.crt. */
export async function signRequest(options: SignOptions, openedCa?: IssuingCa): Promise<SignResult> {
  const o = parseOptions(schema, options, 'pki sign');
  const profile = getProfile(o.profile);
  const store = new PkiStore(o.dir);
  const csr = parseCsr(readFileChecked(o.csr), o.csr);
  const sans = o.sans.map(parseSan);
  const certPath = o.out ?? join(store.dir, `${basename(o.csr).replace(/\.(csr|req|pem|der)$/i, '')}.crt`);
  if (!o.force) assertAbsent(certPath);
  const ca = openedCa ?? store.openCa(o.passphrase);
  const issued = await issueCertificate({ ca, csr, profile, days: o.days, sans, clock: o.clock, rng: o.rng });
  store.recordIssued(issued.certificate, certPath, certificateToPem(issued.certificate.der), o.force);
  return { certificate: issued.certificate, certPath, csr, warnings: issued.warnings };
}
