import { unlinkSync } from 'node:fs';
import { assertAbsent } from '../../core/fs.js';
import { parseOptions, z } from '../../core/options.js';
import type { ParsedCertificate } from '../certificate.js';
import { getProfile } from '../profiles.js';
import { DEFAULT_PKI_DIR, PkiStore } from '../store/store.js';
import { clockSchema, daysSchema, keyTypeSchema, rngSchema, subjectSchema } from './common.js';
import { requestCertificate } from './request.js';
import { signRequest } from './sign.js';

const schema = z.strictObject({
  dir: z.string().default(DEFAULT_PKI_DIR),
  name: z.string(),
  profile: z.string(),
  subject: subjectSchema.default({}),
  sans: z.array(z.string()).default([]),
  keyType: keyTypeSchema.default('p256'),
  days: daysSchema.optional(),
  /** Passphrase of ca.key when it is encrypted. */
  caPassphrase: z.string().optional(),
  /** Encrypt the new key with this passphrase (brokers and devices usually need it in clear). */
  keyPassphrase: z.string().min(4).optional(),
  force: z.boolean().default(false),
  clock: clockSchema.optional(),
  rng: rngSchema.optional(),
});
export type IssueOptions = z.input<typeof schema>;

export interface IssueResult {
  readonly certificate: ParsedCertificate;
  readonly keyPath: string;
  readonly csrPath: string;
  readonly certPath: string;
  readonly warnings: readonly string[];
}

/** `pki issue NAME --profile P`: request + sign in one step; on failure nothing new is left behind. */
export async function issueIdentity(options: IssueOptions): Promise<IssueResult> {
  const o = parseOptions(schema, options, 'pki issue');
  getProfile(o.profile);
  const store = new PkiStore(o.dir);
  const certPath = store.file(o.name, 'crt');
  if (!o.force) assertAbsent(certPath);
  // Open the CA first: a wrong passphrase must fail before a key is generated and written.
  const ca = store.openCa(o.caPassphrase);
  const req = await requestCertificate({
    dir: o.dir,
    name: o.name,
    subject: o.subject,
    sans: o.sans,
    keyType: o.keyType,
    passphrase: o.keyPassphrase,
    force: o.force,
  });
  try {
    const signed = await signRequest(
      {
        dir: o.dir,
        csr: req.csrPath,
        profile: o.profile,
        days: o.days,
        out: certPath,
        force: o.force,
        clock: o.clock,
        rng: o.rng,
      },
      ca,
    );
    return {
      certificate: signed.certificate,
      keyPath: req.keyPath,
      csrPath: req.csrPath,
      certPath,
      warnings: signed.warnings,
    };
  } catch (err) {
    if (!o.force) for (const p of [req.keyPath, req.csrPath]) unlinkSync(p);
    throw err;
  }
}
