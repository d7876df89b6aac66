import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Atecc608b, PROFILES, type ProfileName } from '../../hardware/atecc608b/index.js';
import { type CliIo, Output } from '../io.js';
import { addForce, addJson, examples } from '../options.js';
import { hex } from './part.js';

interface Flags {
  profile: ProfileName;
  serial?: string;
  force?: boolean;
  json?: boolean;
}

export function registerCreate(se: Command, io: CliIo): void {
  const cmd = se
    .command('create')
    .argument('<file>', 'the part image to write (0600; it holds the factory private keys)')
    .description('manufacture a new part: a locked Trust&GO (TNGTLS) or an unlocked blank one')
    .option('--profile <profile>', `${PROFILES.join(' | ')}`, 'tngtls')
    .option('--serial <hex>', '18 hex digits starting 0123 (default: random)');
  addJson(addForce(cmd));
  cmd.addHelpText(
    'after',
    examples([
      'mqtts-lab se create m5stack.se',
      'mqtts-lab se create custom.se --profile blank',
      'mqtts-lab se create lab.se --serial 0123a1b2c3d4e5f601',
    ]),
  );
  cmd.action((file: string, flags: Flags) => {
    const out = new Output(io, flags.json === true);
    const part = Atecc608b.create({ profile: flags.profile, serial: flags.serial });
    const path = resolve(io.cwd, file);
    part.save(path, { overwrite: flags.force === true });
    out.result(
      {
        path,
        profile: part.profile,
        serial: hex(part.serialNumber),
        i2cAddress: part.i2cAddress,
        locks: part.locks,
      },
      () =>
        [
          `part     ${path} (0600)`,
          `profile  ${part.profile}`,
          `serial   ${hex(part.serialNumber)}`,
          `address  0x${part.i2cAddress.toString(16)}`,
          `locks    config ${part.locks.config ? 'locked' : 'unlocked'}, data ${part.locks.data ? 'locked' : 'unlocked'}`,
        ].join('\n'),
    );
  });
}
