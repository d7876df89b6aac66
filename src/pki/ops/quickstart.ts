import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseOptions, z } from '../../core/options.js';
import type { KeyType } from '../keys.js';
import type { ProfileName } from '../profiles.js';
import { DEFAULT_PKI_DIR, PkiStore } from '../store/store.js';
import { clockSchema } from './common.js';
import { generateCrl } from './crl.js';
import { initCa } from './init.js';
import { issueIdentity } from './issue.js';
import { verifyCertificateFile } from './verify.js';

const schema = z.strictObject({
  dir: z.string().default(DEFAULT_PKI_DIR),
  /** The student's name of the lab sheet: O="Ciel <name>", OU="iot <name>". */
  student: z.string().min(1).default('lab'),
  clock: clockSchema.optional(),
});
export type QuickstartOptions = z.input<typeof schema>;

export interface QuickstartCheck {
  readonly name: string;
  readonly purpose: 'server' | 'client';
  readonly hostname?: string;
  readonly valid: boolean;
  readonly reason?: string;
}

export interface QuickstartResult {
  readonly dir: string;
  readonly created: readonly string[];
  readonly reused: readonly string[];
  readonly checks: readonly QuickstartCheck[];
  readonly warnings: readonly string[];
}

interface Identity {
  readonly name: string;
  readonly profile: ProfileName;
  readonly keyType: KeyType;
  readonly subject: Record<string, string>;
  readonly purpose: 'server' | 'client';
  readonly hostname?: string;
}

/**
 * The lab sheet's PKI in one idempotent step: the teacher's CA, the student's broker
 * (RSA-2048, O="Ciel <name>", OU="iot <name>", CN=hostname) and client (CN=localhost), and the
 * M5Go device of Steps 2–3 (P-256, the curve of the ATECC608B). What exists is reused; then
 * every identity is validated against the CA and the CRL, so the output is a check that ran.
 */
export async function quickstart(options: QuickstartOptions = {}): Promise<QuickstartResult> {
  const o = parseOptions(schema, options, 'pki quickstart');
  const store = new PkiStore(o.dir);
  const created: string[] = [];
  const reused: string[] = [];
  const warnings: string[] = [];
  if (!store.hasCa()) {
    const r = await initCa({
      dir: o.dir,
      subject: { C: 'FR', O: 'Ciel Lab', OU: 'mqtts-lab', CN: 'Ciel Lab CA' },
      keyType: 'rsa-2048',
      unencrypted: true,
      clock: o.clock,
    });
    warnings.push(...r.warnings);
    created.push(r.certPath, r.keyPath);
  } else reused.push(store.caCertPath, store.caKeyPath);

  const identities: Identity[] = [
    {
      name: 'broker',
      profile: 'broker',
      keyType: 'rsa-2048',
      subject: { O: `Ciel ${o.student}`, OU: `iot ${o.student}`, CN: hostname() },
      purpose: 'server',
      hostname: 'localhost',
    },
    {
      name: 'client',
      profile: 'device',
      keyType: 'rsa-2048',
      subject: { O: `Ciel ${o.student}`, CN: 'localhost' },
      purpose: 'client',
    },
    {
      name: 'm5go-01',
      profile: 'device',
      keyType: 'p256',
      subject: { O: 'Ciel Lab', OU: 'devices', CN: 'm5go-01' },
      purpose: 'client',
    },
  ];
  for (const id of identities) {
    const crt = store.file(id.name, 'crt');
    if (existsSync(crt) && existsSync(store.file(id.name, 'key'))) {
      reused.push(crt);
      continue;
    }
    const r = await issueIdentity({
      dir: o.dir,
      name: id.name,
      profile: id.profile,
      keyType: id.keyType,
      subject: id.subject,
      clock: o.clock,
    });
    created.push(r.keyPath, r.csrPath, r.certPath);
  }
  if (!existsSync(store.crlPath)) {
    const r = await generateCrl({ dir: o.dir, clock: o.clock });
    created.push(r.path);
  } else reused.push(store.crlPath);

  const checks = identities.map((id): QuickstartCheck => {
    const v = verifyCertificateFile({
      dir: o.dir,
      cert: store.file(id.name, 'crt'),
      crls: [store.crlPath],
      purpose: id.purpose,
      hostname: id.hostname,
      clock: o.clock,
    });
    return {
      name: id.name,
      purpose: id.purpose,
      hostname: id.hostname,
      valid: v.valid,
      reason: v.failures[0]?.reason,
    };
  });
  return { dir: store.dir, created, reused, checks, warnings };
}
