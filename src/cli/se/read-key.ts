import type { Command } from 'commander';
import { decodeSlotKey } from '../../device/keys/index.js';
import { slotSize } from '../../hardware/atecc608b/index.js';
import { type CliIo, Output } from '../io.js';
import { examples } from '../options.js';
import { openPart, slotOption } from './part.js';

export function registerReadKey(se: Command, io: CliIo): void {
  const cmd = se
    .command('read-key')
    .argument('<file>', 'part image')
    .description("read a key written in the lab sheet's format back out of a slot, as PEM on stdout")
    .requiredOption('--slot <n>', 'data slot', slotOption);
  cmd.addHelpText(
    'after',
    [
      '',
      'These are the 13 plain Read commands (for slot 8) any host on the I2C bus can send: on a',
      'TNGTLS part slot 8 is clear-read, so this works without any secret. A secret slot (slot 0)',
      'answers 0x0F (ERR_SE_STATUS).',
      examples(['mqtts-lab se read-key m5stack.se --slot 8 > stolen.key']),
    ].join('\n'),
  );
  cmd.action(async (file: string, flags: { slot: number }) => {
    const out = new Output(io, false);
    const { driver } = openPart(file, io);
    const blocks = Math.floor(slotSize(flags.slot) / 32);
    const key = decodeSlotKey(await driver.readSlot(flags.slot, blocks));
    out.warn(
      `slot ${flags.slot} gave up its private key to ${driver.commandsSent} Read commands; no secret was needed`,
    );
    io.stdout(key.pem);
  });
}
