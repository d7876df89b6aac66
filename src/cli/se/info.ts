import type { Command } from 'commander';
import { type CliIo, Output } from '../io.js';
import { addJson, examples } from '../options.js';
import { hex, openPart } from './part.js';

export function registerInfo(se: Command, io: CliIo): void {
  const cmd = se
    .command('info')
    .argument('<file>', 'part image')
    .description('what the host driver reads: Info revision, serial, lock bytes, counters');
  addJson(cmd);
  cmd.addHelpText('after', examples(['mqtts-lab se info m5stack.se', 'mqtts-lab se info m5stack.se --json']));
  cmd.action(async (file: string, flags: { json?: boolean }) => {
    const out = new Output(io, flags.json === true);
    const { part, driver } = openPart(file, io);
    const revision = await driver.info();
    const c = await driver.readConfigZone();
    const counters = [await driver.counter(0, false), await driver.counter(1, false)];
    const lockedSlots = part.locks.slots.flatMap((locked, slot) => (locked ? [slot] : []));
    const data = {
      profile: part.profile,
      i2cAddress: part.i2cAddress,
      revision: hex(revision),
      serial: hex(c.serialNumber),
      configLockStatus: c.configLockStatus,
      dataOTPLockStatus: c.dataOTPLockStatus,
      slot0LockStatus: c.slot0LockStatus,
      lockedSlots,
      counters,
    };
    out.result(data, () =>
      [
        `profile    ${data.profile}`,
        `address    0x${data.i2cAddress.toString(16)}`,
        `revision   ${data.revision}${data.revision === '00006003' ? ' (ATECC608B)' : ''}`,
        `serial     ${data.serial}`,
        `config     ${c.configLockStatus ? 'locked' : 'UNLOCKED'}`,
        `data/OTP   ${c.dataOTPLockStatus ? 'locked' : 'UNLOCKED'}`,
        `slot locks ${lockedSlots.length > 0 ? lockedSlots.join(', ') : 'none'}`,
        `counters   ${counters.join(', ')}`,
      ].join('\n'),
    );
  });
}
