import type { Command } from 'commander';
import { describeCertificate } from '../../pki/inspect.js';
import { signRequest } from '../../pki/ops/sign.js';
import { PROFILE_NAMES, PROFILES } from '../../pki/profiles.js';
import { certificateText } from '../format.js';
import { type CliIo, Output } from '../io.js';
import {
  addDir,
  addForce,
  addJson,
  addPassin,
  collect,
  examples,
  passphraseFrom,
  positiveNumber,
} from '../options.js';

interface Flags {
  dir: string;
  profile: string;
  days?: number;
  san?: string[];
  out?: string;
  passin?: string;
  force?: boolean;
  json?: boolean;
}

export const profileHelp = `profile: ${PROFILE_NAMES.filter((p) => p !== 'ca')
  .map((p) => `${p} (${PROFILES[p].summary})`)
  .join('; ')}`;

export function registerSign(pki: Command, io: CliIo): void {
  const cmd = pki
    .command('sign')
    .argument('<csr>', 'CSR file (PEM or DER), e.g. one made by openssl req -new')
    .description('check a CSR (proof of possession) and issue a certificate under a profile');
  addDir(cmd);
  cmd
    .requiredOption('--profile <profile>', profileHelp)
    .option('--days <n>', "validity in days (default: the profile's, capped at the CA's end)", positiveNumber)
    .option('--san <name>', 'extra subject alternative name: DNS:host, IP:addr (repeatable)', collect)
    .option('--out <file>', 'certificate path (default <dir>/<csr name>.crt)');
  addPassin(cmd);
  addJson(addForce(cmd));
  cmd.addHelpText(
    'after',
    examples([
      'openssl req -new -key dupont-broker.key -out dupont-broker.csr   # the lab sheet',
      'mqtts-lab pki sign dupont-broker.csr --profile broker --san IP:192.168.1.20',
      'mqtts-lab pki sign dupont-client.csr --profile device --days 90 --passin env:MQTTS_CA_PASS',
    ]),
  );
  cmd.action(async (csr: string, flags: Flags) => {
    const out = new Output(io, flags.json === true);
    const r = await signRequest({
      dir: flags.dir,
      csr,
      profile: flags.profile,
      days: flags.days,
      sans: flags.san ?? [],
      out: flags.out,
      passphrase: passphraseFrom(flags.passin, io, out),
      force: flags.force === true,
    });
    for (const w of r.warnings) out.warn(w);
    const d = describeCertificate(r.certificate);
    out.result({ certPath: r.certPath, profile: flags.profile, certificate: d, warnings: r.warnings }, () =>
      [`certificate  ${r.certPath} (profile ${flags.profile})`, '', certificateText(d)].join('\n'),
    );
  });
}
