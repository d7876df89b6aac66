import { resolve } from 'node:path';
import type { Command } from 'commander';
import { LabError } from '../../core/errors.js';
import { readFileChecked } from '../../core/fs.js';
import { decodeSlotKey, encodeSlotKey, writeSlotKey } from '../../device/keys/index.js';
import { slotSize } from '../../hardware/atecc608b/index.js';
import { loadPrivateKey } from '../../pki/keys.js';
import { type CliIo, Output } from '../io.js';
import { addForce, addJson, examples, passphraseFrom } from '../options.js';
import { openPart, slotOption } from './part.js';

interface Flags {
  slot: number;
  key: string;
  passin?: string;
  force?: boolean;
  json?: boolean;
}

export function registerProvision(se: Command, io: CliIo): void {
  const cmd = se
    .command('provision')
    .argument('<file>', 'part image (rewritten atomically)')
    .description("write a private key into a data slot in the lab sheet's format (Step 3)")
    .requiredOption('--slot <n>', 'data slot (the lab sheet uses 8)', slotOption)
    .requiredOption('--key <path>', 'PEM private key (EC or RSA)')
    .option('--passin <spec>', 'passphrase of an encrypted key: env:VAR, file:PATH or pass:TEXT');
  addJson(addForce(cmd));
  cmd.addHelpText(
    'after',
    [
      '',
      'Format: 2-byte big-endian length, PKCS#8 DER, zeros to the end of the slot; written as',
      '32-byte blocks at (slot<<3)|(block<<8) — 13 blocks for slot 8. On a TNGTLS part slot 8 is',
      'clear-read and always-write: anyone on the I2C bus can read this key back (se read-key).',
      'A slot that already holds a key is replaced only with --force.',
      examples([
        'mqtts-lab se provision m5stack.se --slot 8 --key tls/m5go-01.key',
        'mqtts-lab se provision m5stack.se --slot 8 --key new.key --force',
      ]),
    ].join('\n'),
  );
  cmd.action(async (file: string, flags: Flags) => {
    const out = new Output(io, flags.json === true);
    const keyPath = resolve(io.cwd, flags.key);
    const key = loadPrivateKey(readFileChecked(keyPath), flags.key, passphraseFrom(flags.passin, io, out));
    const der = new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
    const blob = encodeSlotKey(der, slotSize(flags.slot) - (slotSize(flags.slot) % 32));
    const se = openPart(file, io);
    const existing = se.part.readSlot(flags.slot);
    if (existing !== null && flags.force !== true && holdsKey(existing)) {
      throw new LabError(
        'ERR_FS_EXISTS',
        `slot ${flags.slot} already holds a key; add --force to replace it`,
        {
          details: { slot: flags.slot },
        },
      );
    }
    await writeSlotKey(se.driver, flags.slot, der, blob.length);
    se.save();
    const readable = se.part.slotMap()[flags.slot]!.readable;
    if (readable) out.warn(`slot ${flags.slot} is clear-read: anyone on the I2C bus can read this key back`);
    out.result(
      { path: se.path, slot: flags.slot, keyBytes: der.length, blocks: blob.length / 32, readable },
      () =>
        `slot ${flags.slot}: ${der.length}-byte PKCS#8 key written in ${blob.length / 32} blocks of 32 bytes, read back and checked`,
    );
  });
}

function holdsKey(slot: Uint8Array): boolean {
  try {
    decodeSlotKey(slot);
    return true;
  } catch {
    return false;
  }
}
