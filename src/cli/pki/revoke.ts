import { type Command, Option } from 'commander';
import { REVOCATION_REASONS } from '../../pki/crl.js';
import { revokeCertificate } from '../../pki/ops/revoke.js';
import { type CliIo, Output } from '../io.js';
import { addDir, addJson, addPassin, examples, passphraseFrom, positiveNumber } from '../options.js';

interface Flags {
  dir: string;
  reason: string;
  passin?: string;
  crl: boolean;
  crlDays: number;
  json?: boolean;
}

export function registerRevoke(pki: Command, io: CliIo): void {
  const cmd = pki
    .command('revoke')
    .argument('<target>', 'certificate file, or serial number in hex (as in index.txt)')
    .description('revoke a certificate issued by this CA and publish a new crl.pem');
  addDir(cmd);
  cmd
    .addOption(
      new Option('--reason <reason>', 'RFC 5280 reason code')
        .choices([...REVOCATION_REASONS])
        .default('unspecified'),
    )
    .option('--no-crl', 'only mark the index; do not regenerate crl.pem now')
    .option('--crl-days <n>', 'nextUpdate of the new CRL, in days', positiveNumber, 30);
  addPassin(cmd);
  addJson(cmd);
  cmd.addHelpText(
    'after',
    examples([
      'mqtts-lab pki revoke tls/m5go-01.crt --reason keyCompromise',
      'mqtts-lab pki revoke 71CBCD28C6F9E997E95ECA1B1FADC253 --reason superseded --no-crl',
    ]),
  );
  cmd.action(async (target: string, flags: Flags) => {
    const out = new Output(io, flags.json === true);
    const r = await revokeCertificate({
      dir: flags.dir,
      target,
      reason: flags.reason,
      passphrase: passphraseFrom(flags.passin, io, out),
      publishCrl: flags.crl,
      crlDays: flags.crlDays,
    });
    out.result(
      {
        serial: r.serial,
        subject: r.subject,
        reason: r.reason,
        crlPath: r.crl?.path,
        crlNumber: r.crl?.crl.crlNumber,
      },
      () =>
        [
          `revoked ${r.serial} ${r.subject} (${r.reason})`,
          r.crl
            ? `CRL #${r.crl.crl.crlNumber} written to ${r.crl.path}`
            : 'CRL not regenerated (run: mqtts-lab pki crl)',
        ].join('\n'),
    );
  });
}
