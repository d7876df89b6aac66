import { createPublicKey } from 'node:crypto';
import type { Command } from 'commander';
import { p256PublicKeyInfo } from '../../device/drivers/atecc608-signer.js';
import { type CliIo, Output } from '../io.js';
import { addJson, examples } from '../options.js';
import { hex, openPart, slotOption } from './part.js';

export function registerPubkey(se: Command, io: CliIo): void {
  const cmd = se
    .command('pubkey')
    .argument('<file>', 'part image')
    .description("the public key of a slot's private key (GenKey mode 0x00), as PEM")
    .requiredOption('--slot <n>', 'key slot (0 holds the factory key)', slotOption);
  addJson(cmd);
  cmd.addHelpText('after', examples(['mqtts-lab se pubkey m5stack.se --slot 0 > slot0.pub.pem']));
  cmd.action(async (file: string, flags: { slot: number; json?: boolean }) => {
    const out = new Output(io, flags.json === true);
    const { driver } = openPart(file, io);
    const xy = await driver.generatePublicKey(flags.slot);
    const spki = p256PublicKeyInfo(xy);
    const pem = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    out.result({ slot: flags.slot, x: hex(xy.subarray(0, 32)), y: hex(xy.subarray(32)), pem }, () => pem);
  });
}
