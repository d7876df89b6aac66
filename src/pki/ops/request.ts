import { unlinkSync } from 'node:fs';
import { assertAbsent, writeFileAtomic } from '../../core/fs.js';
import { parseOptions, z } from '../../core/options.js';
import { createCsr, csrToPem, type ParsedCsr, parseCsr } from '../csr.js';
import { parseSan } from '../extensions.js';
import { generatePrivateKey, privateKeyToPem } from '../keys.js';
import { buildName } from '../names.js';
import { keySigner } from '../signer.js';
import { DEFAULT_PKI_DIR, PkiStore } from '../store/store.js';
import { keyTypeSchema, subjectSchema } from './common.js';

const schema = z.strictObject({
  dir: z.string().default(DEFAULT_PKI_DIR),
  name: z.string(),
  /** Subject fields; CN defaults to the name. */
  subject: subjectSchema.default({}),
  /** SANs to request: "DNS:host", "IP:1.2.3.4", or bare values. */
  sans: z.array(z.string()).default([]),
  keyType: keyTypeSchema.default('p256'),
  passphrase: z.string().min(4).optional(),
  force: z.boolean().default(false),
});
export type RequestOptions = z.input<typeof schema>;

export interface RequestResult {
  readonly keyPath: string;
  readonly csrPath: string;
  readonly csr: ParsedCsr;
}

/** `pki request NAME`: <name>.key (0600) + <name>.csr, like `openssl genrsa` + `openssl req -new`. */
export async function requestCertificate(options: RequestOptions): Promise<RequestResult> {
  const o = parseOptions(schema, options, 'pki request');
  const store = new PkiStore(o.dir);
  const keyPath = store.file(o.name, 'key');
  const csrPath = store.file(o.name, 'csr');
  const subject = buildName({ ...o.subject, CN: o.subject.CN ?? o.name });
  const sans = o.sans.map(parseSan);
  if (!o.force) for (const p of [keyPath, csrPath]) assertAbsent(p);
  store.ensureDir();

  const key = await generatePrivateKey(o.keyType);
  const der = await createCsr({ subject, sans }, keySigner(key));
  writeFileAtomic(keyPath, privateKeyToPem(key, o.passphrase), { mode: 0o600, overwrite: o.force });
  try {
    writeFileAtomic(csrPath, csrToPem(der), { overwrite: o.force });
  } catch (err) {
    if (!o.force) unlinkSync(keyPath);
    throw err;
  }
  return { keyPath, csrPath, csr: parseCsr(der, csrPath) };
}
