import type { Command } from 'commander';
import { describeCertificate } from '../../pki/inspect.js';
import type { KeyType } from '../../pki/keys.js';
import { issueIdentity } from '../../pki/ops/issue.js';
import { certificateText } from '../format.js';
import { type CliIo, Output } from '../io.js';
import {
  addDir,
  addForce,
  addJson,
  addKeyType,
  addPassin,
  addSubject,
  collect,
  examples,
  passphraseFrom,
  positiveNumber,
  type SubjectFlags,
  subjectFrom,
} from '../options.js';
import { profileHelp } from './sign.js';

interface Flags extends SubjectFlags {
  dir: string;
  profile: string;
  keyType: KeyType;
  days?: number;
  san?: string[];
  passin?: string;
  passout?: string;
  force?: boolean;
  json?: boolean;
}

export function registerIssue(pki: Command, io: CliIo): void {
  const cmd = pki
    .command('issue')
    .argument('<name>', 'file name stem: writes <dir>/<name>.key, .csr and .crt; default CN')
    .description('request + sign in one step: a key, a CSR and the certificate');
  addSubject(addDir(cmd));
  cmd
    .requiredOption('--profile <profile>', profileHelp)
    .option('--san <name>', 'subject alternative name: DNS:host, IP:addr (repeatable)', collect)
    .option('--days <n>', "validity in days (default: the profile's)", positiveNumber)
    .option('--passout <spec>', 'encrypt the new key: env:VAR, file:PATH or pass:TEXT');
  addPassin(addKeyType(cmd));
  addJson(addForce(cmd));
  cmd.addHelpText(
    'after',
    examples([
      'mqtts-lab pki issue broker --profile broker --o "Ciel Dupont" --ou "iot Dupont" --cn "$(hostname)"',
      'mqtts-lab pki issue m5go-01 --profile device --o "Ciel Lab"',
      'mqtts-lab pki issue sub-ca --profile intermediate --cn "Ciel Lab Issuing CA" --passout env:SUB_PASS',
    ]),
  );
  cmd.action(async (name: string, flags: Flags) => {
    const out = new Output(io, flags.json === true);
    const r = await issueIdentity({
      dir: flags.dir,
      name,
      profile: flags.profile,
      subject: subjectFrom(flags),
      sans: flags.san ?? [],
      keyType: flags.keyType,
      days: flags.days,
      caPassphrase: passphraseFrom(flags.passin, io, out),
      keyPassphrase: passphraseFrom(flags.passout, io, out),
      force: flags.force === true,
    });
    for (const w of r.warnings) out.warn(w);
    const d = describeCertificate(r.certificate);
    out.result(
      { keyPath: r.keyPath, csrPath: r.csrPath, certPath: r.certPath, certificate: d, warnings: r.warnings },
      () =>
        [
          `key          ${r.keyPath} (0600)`,
          `CSR          ${r.csrPath}`,
          `certificate  ${r.certPath} (profile ${flags.profile})`,
          '',
          certificateText(d),
        ].join('\n'),
    );
  });
}
