import { existsSync } from 'node:fs';
import { systemClock } from '../../core/clock.js';
import { LabError } from '../../core/errors.js';
import { readFileChecked } from '../../core/fs.js';
import { parseOptions, z } from '../../core/options.js';
import { normaliseSerial, parseCertificate } from '../certificate.js';
import { parseReason, type RevocationReason } from '../crl.js';
import { namesEqual } from '../names.js';
import { DEFAULT_PKI_DIR, PkiStore } from '../store/store.js';
import { clockSchema, daysSchema } from './common.js';
import { type CrlResult, generateCrl } from './crl.js';

const schema = z.strictObject({
  dir: z.string().default(DEFAULT_PKI_DIR),
  /** A certificate file, or a serial number in hex. */
  target: z.string(),
  reason: z.string().default('unspecified'),
  passphrase: z.string().optional(),
  /** Regenerate crl.pem right away (default), so the revocation is published now. */
  publishCrl: z.boolean().default(true),
  crlDays: daysSchema.default(30),
  clock: clockSchema.optional(),
});
export type RevokeOptions = z.input<typeof schema>;

export interface RevokeResult {
  readonly serial: string;
  readonly subject: string;
  readonly reason: RevocationReason;
  readonly crl?: CrlResult;
}

/** `pki revoke CERT|SERIAL --reason R`: mark the index entry revoked, then publish a new CRL. */
export async function revokeCertificate(options: RevokeOptions): Promise<RevokeResult> {
  const o = parseOptions(schema, options, 'pki revoke');
  const reason = parseReason(o.reason);
  const store = new PkiStore(o.dir);
  const now = (o.clock ?? systemClock).now();
  // Open the CA before touching the index, so a wrong passphrase changes nothing.
  const ca = o.publishCrl ? store.openCa(o.passphrase) : undefined;
  let serial: string | undefined;
  if (existsSync(o.target)) {
    const cert = parseCertificate(readFileChecked(o.target), o.target);
    const caCert = ca?.certificate ?? store.readCaCertificate();
    if (!namesEqual(cert.issuer, caCert.subject)) {
      throw new LabError('ERR_PKI_SERIAL_UNKNOWN', `${o.target} was not issued by this CA`, {
        details: { serial: cert.serial },
      });
    }
    serial = cert.serial;
  } else {
    serial = normaliseSerial(o.target);
    if (!serial) {
      throw new LabError(
        'ERR_FS_NOT_FOUND',
        `"${o.target}" is neither a certificate file nor a hex serial number`,
        {
          details: { path: o.target },
        },
      );
    }
  }
  const subject = store.locked(() => {
    const entries = store.readIndex();
    const i = entries.findIndex((e) => e.serial === serial);
    if (i < 0)
      throw new LabError('ERR_PKI_SERIAL_UNKNOWN', `serial ${serial} is not in ${store.indexPath}`, {
        details: { serial },
      });
    const e = entries[i]!;
    if (e.status === 'R') {
      throw new LabError(
        'ERR_PKI_ALREADY_REVOKED',
        `serial ${serial} was revoked on ${e.revokedAt?.toISOString()}`,
        { details: { serial } },
      );
    }
    entries[i] = { ...e, status: 'R', revokedAt: new Date(Math.floor(now.getTime() / 1000) * 1000), reason };
    store.writeIndex(entries);
    return e.subject;
  });
  const crl = ca ? await generateCrl({ dir: o.dir, days: o.crlDays, clock: o.clock }, ca) : undefined;
  return { serial, subject, reason, crl };
}
