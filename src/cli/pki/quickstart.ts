import type { Command } from 'commander';
import { quickstart } from '../../pki/ops/quickstart.js';
import { type CliIo, Output, VerdictFailure } from '../io.js';
import { addDir, addJson, examples } from '../options.js';

export function registerQuickstart(pki: Command, io: CliIo): void {
  const cmd = pki
    .command('quickstart')
    .description(
      "the lab sheet's PKI in one step: CA, broker, client and M5Go device identities, a CRL, and their validation",
    );
  addDir(cmd);
  cmd.option('--student <name>', 'your name, as in O="Ciel <name>" and OU="iot <name>"', 'lab');
  addJson(cmd);
  cmd.addHelpText(
    'after',
    examples(['mqtts-lab pki quickstart', 'mqtts-lab pki quickstart --dir ./tls --student Dupont --json']),
  );
  cmd.action(async (flags: { dir: string; student: string; json?: boolean }) => {
    const out = new Output(io, flags.json === true);
    const r = await quickstart({ dir: flags.dir, student: flags.student });
    for (const w of r.warnings) out.warn(w);
    out.result(r, () =>
      [
        `PKI in ${r.dir}`,
        ...r.created.map((p) => `  created  ${p}`),
        ...r.reused.map((p) => `  kept     ${p}`),
        '',
        'Validation (RFC 5280 path, purpose, CRL):',
        ...r.checks.map(
          (c) =>
            `  ${c.name.padEnd(8)}  ${c.purpose}${c.hostname ? ` for ${c.hostname}` : ''}: ${c.valid ? 'OK' : `FAILED (${c.reason})`}`,
        ),
        '',
        `Next: mqtts-lab pki inspect ${r.dir}/broker.crt`,
      ].join('\n'),
    );
    if (r.checks.some((c) => !c.valid)) throw new VerdictFailure('an identity does not validate');
  });
}
