import { type Command, InvalidArgumentError } from 'commander';
import type { LabError } from '../core/errors.js';
import { parseKeyType } from '../pki/keys.js';
import { parseSubject, type SubjectFields } from '../pki/names.js';
import { resolvePassphrase } from '../pki/passphrase.js';
import type { CliIo, Output } from './io.js';

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function addDir(cmd: Command): Command {
  return cmd.option(
    '--dir <dir>',
    'PKI directory (ca.crt, ca.key, <name>.key|.csr|.crt, index.txt, crl.pem)',
    './tls',
  );
}

export function addJson(cmd: Command): Command {
  return cmd.option('--json', 'print the result as JSON');
}

export function addForce(cmd: Command): Command {
  return cmd.option('--force', 'replace existing output files (keys included)');
}

export function addSubject(cmd: Command): Command {
  return cmd
    .option(
      '--subject <dn>',
      'whole subject in openssl -subj form, e.g. "/O=Ciel Dupont/OU=iot Dupont/CN=pc-42"',
    )
    .option('--cn <name>', 'Common Name (CN)')
    .option('--o <org>', 'Organisation (O)')
    .option('--ou <unit>', 'Organisational Unit (OU)')
    .option('--c <cc>', 'Country (C), two letters')
    .option('--st <state>', 'State or province (ST)')
    .option('--l <locality>', 'Locality (L)')
    .option('--email <address>', 'emailAddress');
}

export function addKeyType(cmd: Command): Command {
  return cmd.option(
    '--key-type <type>',
    'rsa-2048 | rsa-3072 | rsa-4096 | p256 | p384',
    keyTypeOption,
    'p256',
  );
}

export function addPassin(cmd: Command): Command {
  return cmd.option('--passin <spec>', 'passphrase of ca.key: env:VAR, file:PATH or pass:TEXT');
}

export interface SubjectFlags {
  subject?: string;
  cn?: string;
  o?: string;
  ou?: string;
  c?: string;
  st?: string;
  l?: string;
  email?: string;
}

/** Subject from --subject and/or the single-field flags (a flag wins over the same field in --subject). */
export function subjectFrom(flags: SubjectFlags): SubjectFields | undefined {
  const base = flags.subject !== undefined ? parseSubject(flags.subject) : {};
  const single: Record<string, string | undefined> = {
    CN: flags.cn,
    O: flags.o,
    OU: flags.ou,
    C: flags.c,
    ST: flags.st,
    L: flags.l,
    emailAddress: flags.email,
  };
  const out: Record<string, string> = { ...base };
  for (const [k, v] of Object.entries(single)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

export function keyTypeOption(value: string): string {
  try {
    return parseKeyType(value);
  } catch (err) {
    throw new InvalidArgumentError((err as LabError).message);
  }
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return n;
}

/** Resolve a --passin/--passout spec, warning when the source is visible to others. */
export function passphraseFrom(spec: string | undefined, io: CliIo, out: Output): string | undefined {
  if (spec === undefined) return undefined;
  const p = resolvePassphrase(spec, io.env);
  if (p.warning) out.warn(p.warning);
  return p.passphrase;
}

export function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`expected a whole number >= 0, got "${value}"`);
  return n;
}

export function parseDate(value: string): Date {
  const asEpoch = /^\d+$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  if (Number.isNaN(asEpoch.getTime()))
    throw new InvalidArgumentError(`not a date: "${value}" (ISO 8601 or seconds since the epoch)`);
  return asEpoch;
}

export function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
