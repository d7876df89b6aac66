import type { Command } from 'commander';
import { LabError } from '../../core/errors.js';
import { type CliIo, Output } from '../io.js';
import { addJson, examples } from '../options.js';
import { openPart, slotOption } from './part.js';

interface Flags {
  zone?: 'config' | 'data';
  slot?: number;
  yes?: boolean;
  json?: boolean;
}

export function registerLock(se: Command, io: CliIo): void {
  const cmd = se
    .command('lock')
    .argument('<file>', 'part image (rewritten atomically)')
    .description('lock the configuration zone, the data+OTP zones, or one slot — irreversibly')
    .option('--zone <zone>', 'config | data')
    .option('--slot <n>', 'slot to lock (its KeyConfig.Lockable must be set)', slotOption)
    .option('--yes', 'confirm: a lock can never be undone, on the chip as here');
  addJson(cmd);
  cmd.addHelpText(
    'after',
    [
      '',
      'Locking slot 8 stops writes (no key substitution) but not reads: the key stays readable.',
      examples([
        'mqtts-lab se lock custom.se --zone config --yes',
        'mqtts-lab se lock custom.se --zone data --yes',
        'mqtts-lab se lock m5stack.se --slot 8 --yes',
      ]),
    ].join('\n'),
  );
  cmd.action(async (file: string, flags: Flags) => {
    const out = new Output(io, flags.json === true);
    if ((flags.zone === undefined) === (flags.slot === undefined)) {
      throw new LabError('ERR_OPTIONS_INVALID', 'give exactly one of --zone config|data or --slot N', {
        details: { option: 'zone' },
      });
    }
    if (flags.zone !== undefined && flags.zone !== 'config' && flags.zone !== 'data') {
      throw new LabError('ERR_OPTIONS_INVALID', `--zone is config or data, not "${String(flags.zone)}"`, {
        details: { option: 'zone' },
      });
    }
    if (flags.yes !== true) {
      throw new LabError('ERR_OPTIONS_INVALID', 'a lock is irreversible: add --yes to confirm', {
        details: { option: 'yes' },
      });
    }
    const se = openPart(file, io);
    const what = flags.zone !== undefined ? `${flags.zone} zone` : `slot ${flags.slot}`;
    if (flags.zone !== undefined) await se.driver.lockZone(flags.zone);
    else await se.driver.lockSlot(flags.slot!);
    se.save();
    out.result({ path: se.path, locked: what, locks: se.part.locks }, () => `${what} locked`);
  });
}
