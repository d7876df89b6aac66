import { systemClock } from '../../core/clock.js';
import { writeFileAtomic } from '../../core/fs.js';
import { parseOptions, z } from '../../core/options.js';
import type { IssuingCa } from '../ca.js';
import { crlToPem, type ParsedCrl, parseCrl, signCrl } from '../crl.js';
import { DEFAULT_PKI_DIR, PkiStore } from '../store/store.js';
import { clockSchema, daysSchema } from './common.js';

const schema = z.strictObject({
  dir: z.string().default(DEFAULT_PKI_DIR),
  /** Days until nextUpdate: relying parties treat the CRL as stale after it. */
  days: daysSchema.default(30),
  passphrase: z.string().optional(),
  out: z.string().optional(),
  clock: clockSchema.optional(),
});
export type CrlOptions = z.input<typeof schema>;

export interface CrlResult {
  readonly crl: ParsedCrl;
  readonly path: string;
}

/** `pki crl`: a CRL of every revoked serial in the index, signed by the CA, written to crl.pem. */
export async function generateCrl(options: CrlOptions, openedCa?: IssuingCa): Promise<CrlResult> {
  const o = parseOptions(schema, options, 'pki crl');
  const store = new PkiStore(o.dir);
  const ca = openedCa ?? store.openCa(o.passphrase);
  const now = (o.clock ?? systemClock).now();
  const entries = store
    .readIndex()
    .filter((e) => e.status === 'R')
    .map((e) => ({ serial: e.serial, revokedAt: e.revokedAt!, reason: e.reason ?? 'unspecified' }));
  const der = await signCrl(
    {
      issuer: ca.certificate.subject,
      issuerKeyId: ca.certificate.extensions.subjectKeyId,
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + o.days * 86_400_000),
      crlNumber: store.takeCrlNumber(),
      entries,
    },
    ca.signer,
  );
  const path = o.out ?? store.crlPath;
  // A CRL is meant to be replaced; the write is atomic so readers see the old or the new one.
  writeFileAtomic(path, crlToPem(der), { overwrite: true });
  return { crl: parseCrl(der, path), path };
}
