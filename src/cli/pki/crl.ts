import type { Command } from 'commander';
import { describeCrl } from '../../pki/inspect.js';
import { generateCrl } from '../../pki/ops/crl.js';
import { crlText } from '../format.js';
import { type CliIo, Output } from '../io.js';
import { addDir, addJson, addPassin, examples, passphraseFrom, positiveNumber } from '../options.js';

export function registerCrl(pki: Command, io: CliIo): void {
  const cmd = pki
    .command('crl')
    .description('sign a CRL of every revoked certificate in the index (writes <dir>/crl.pem)');
  addDir(cmd);
  cmd
    .option('--days <n>', 'days until nextUpdate', positiveNumber, 30)
    .option('--out <file>', 'CRL path (default <dir>/crl.pem)');
  addPassin(cmd);
  addJson(cmd);
  cmd.addHelpText(
    'after',
    examples(['mqtts-lab pki crl', 'mqtts-lab pki crl --days 7 --passin env:MQTTS_CA_PASS --json']),
  );
  cmd.action(async (flags: { dir: string; days: number; out?: string; passin?: string; json?: boolean }) => {
    const out = new Output(io, flags.json === true);
    const r = await generateCrl({
      dir: flags.dir,
      days: flags.days,
      out: flags.out,
      passphrase: passphraseFrom(flags.passin, io, out),
    });
    const d = describeCrl(r.crl);
    out.result({ path: r.path, crl: d }, () => [`CRL written to ${r.path}`, '', crlText(d)].join('\n'));
  });
}
