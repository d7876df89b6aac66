import type { KeyObject } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { LabError } from '../../core/errors.js';
import { assertAbsent, writeFileAtomic } from '../../core/fs.js';
import { parseOptions, z } from '../../core/options.js';
import { createRootCa } from '../ca.js';
import { certificateToPem, type ParsedCertificate } from '../certificate.js';
import { privateKeyToPem } from '../keys.js';
import { DEFAULT_PKI_DIR, PkiStore } from '../store/store.js';
import { clockSchema, daysSchema, keyTypeSchema, rngSchema, subjectSchema } from './common.js';

const schema = z.strictObject({
  dir: z.string().default(DEFAULT_PKI_DIR),
  subject: subjectSchema.default({ O: 'mqtts-lab', CN: 'mqtts-lab CA' }),
  keyType: keyTypeSchema.default('p256'),
  days: daysSchema.default(3650),
  pathLen: z.number().int().min(0).optional(),
  /** Encrypt ca.key with this passphrase. Either this or `unencrypted: true` is required. */
  passphrase: z.string().min(4).optional(),
  unencrypted: z.boolean().default(false),
  force: z.boolean().default(false),
  clock: clockSchema.optional(),
  rng: rngSchema.optional(),
});
export type InitCaOptions = z.input<typeof schema>;

export interface InitCaResult {
  readonly certificate: ParsedCertificate;
  readonly certPath: string;
  readonly keyPath: string;
  readonly encrypted: boolean;
  readonly warnings: readonly string[];
}

/** `pki init`: a self-signed root CA as ca.key (0600) + ca.crt, and an empty index. */
export async function initCa(options: InitCaOptions): Promise<InitCaResult> {
  const o = parseOptions(schema, options, 'pki init');
  if (o.passphrase === undefined && !o.unencrypted) {
    throw new LabError(
      'ERR_PKI_PASSPHRASE_REQUIRED',
      'the CA key must be protected: give a passphrase (--passout env:VAR | file:PATH), or --unencrypted for a throwaway lab CA',
    );
  }
  if (o.passphrase !== undefined && o.unencrypted) {
    throw new LabError('ERR_OPTIONS_INVALID', 'passphrase and unencrypted are mutually exclusive', {
      details: { option: 'unencrypted' },
    });
  }
  const store = new PkiStore(o.dir);
  store.ensureDir();
  const warnings: string[] = [];
  if (o.unencrypted)
    warnings.push(
      `${store.caKeyPath} is written UNENCRYPTED: anyone who reads it can issue identities (lab use only)`,
    );
  // Check both outputs up front so a refusal leaves nothing half-made.
  if (!o.force) for (const p of [store.caKeyPath, store.caCertPath]) assertAbsent(p);

  const ca = await createRootCa({
    subject: o.subject,
    keyType: o.keyType,
    days: o.days,
    pathLen: o.pathLen,
    clock: o.clock,
    rng: o.rng,
  });
  writeFileAtomic(store.caKeyPath, privateKeyToPem(ca.key as KeyObject, o.passphrase), {
    mode: 0o600,
    overwrite: o.force,
  });
  try {
    writeFileAtomic(store.caCertPath, certificateToPem(ca.certificate.der), { overwrite: o.force });
    // A new CA starts a new index: serials of a replaced CA mean nothing under the new one.
    store.writeIndex([]);
  } catch (err) {
    if (!o.force) unlinkSync(store.caKeyPath);
    throw err;
  }
  return {
    certificate: ca.certificate,
    certPath: store.caCertPath,
    keyPath: store.caKeyPath,
    encrypted: !o.unencrypted,
    warnings,
  };
}
