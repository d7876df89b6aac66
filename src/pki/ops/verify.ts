import { join } from 'node:path';
import { readFileChecked } from '../../core/fs.js';
import { parseOptions, z } from '../../core/options.js';
import { type ParsedCertificate, parseCertificate, parseCertificates } from '../certificate.js';
import { parseCrl } from '../crl.js';
import { DEFAULT_PKI_DIR } from '../store/store.js';
import { type PathValidationResult, validatePath } from '../validate.js';
import { clockSchema } from './common.js';

const schema = z.strictObject({
  dir: z.string().default(DEFAULT_PKI_DIR),
  cert: z.string(),
  /** Trust anchors (PEM bundle); default <dir>/ca.crt. */
  ca: z.string().optional(),
  /** Untrusted intermediates (PEM bundle), like openssl's -untrusted. */
  untrusted: z.string().optional(),
  crls: z.array(z.string()).default([]),
  crlCheckAll: z.boolean().default(false),
  purpose: z.enum(['server', 'client', 'any']).default('any'),
  hostname: z.string().optional(),
  at: z.date().optional(),
  clock: clockSchema.optional(),
});
export type VerifyOptions = z.input<typeof schema>;

export interface VerifyResult extends PathValidationResult {
  readonly leaf: ParsedCertificate;
  readonly caPath: string;
}

/** `pki verify CERT`: RFC 5280 path validation of files, with the reasons when it fails. */
export function verifyCertificateFile(options: VerifyOptions): VerifyResult {
  const o = parseOptions(schema, options, 'pki verify');
  const caPath = o.ca ?? join(o.dir, 'ca.crt');
  const leaf = parseCertificate(readFileChecked(o.cert), o.cert);
  const anchors = parseCertificates(readFileChecked(caPath), caPath);
  const intermediates = o.untrusted ? parseCertificates(readFileChecked(o.untrusted), o.untrusted) : [];
  const crls = o.crls.map((p) => parseCrl(readFileChecked(p), p));
  const result = validatePath({
    leaf,
    anchors,
    intermediates,
    crls,
    crlCheck: crls.length === 0 ? 'none' : o.crlCheckAll ? 'all' : 'leaf',
    at: o.at,
    clock: o.clock,
    purpose: o.purpose,
    hostname: o.hostname,
  });
  return { ...result, leaf, caPath };
}
