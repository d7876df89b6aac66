import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { LabError } from '../../core/errors.js';
import { readFileChecked, writeFileAtomic } from '../../core/fs.js';
import { ecdsaRawToDer } from '../../pki/index.js';
import { type CliIo, Output } from '../io.js';
import { addForce, addJson, examples } from '../options.js';
import { hex, openPart, slotOption } from './part.js';

interface Flags {
  slot: number;
  in?: string;
  digest?: string;
  out?: string;
  raw?: boolean;
  force?: boolean;
  json?: boolean;
}

export function registerSign(se: Command, io: CliIo): void {
  const cmd = se
    .command('sign')
    .argument('<file>', 'part image')
    .description('ECDSA P-256 signature made inside the part (Nonce pass-through + Sign 0x80)')
    .requiredOption('--slot <n>', 'key slot (0 holds the factory key)', slotOption)
    .option('--in <path>', 'file to sign: its SHA-256 is computed here and signed by the part')
    .option('--digest <hex>', 'a SHA-256 digest (64 hex digits) to sign as is')
    .option('--out <path>', 'write the signature: DER (as openssl dgst -sign), or R‖S with --raw')
    .option('--raw', 'raw 64-byte R‖S, as the part returns it');
  addJson(addForce(cmd));
  cmd.addHelpText(
    'after',
    examples([
      'mqtts-lab se sign m5stack.se --slot 0 --in reading.json --out reading.sig',
      'openssl dgst -sha256 -verify slot0.pub.pem -signature reading.sig reading.json',
      'mqtts-lab se sign m5stack.se --slot 0 --digest "$(sha256sum reading.json | cut -c1-64)" --json',
    ]),
  );
  cmd.action(async (file: string, flags: Flags) => {
    const out = new Output(io, flags.json === true);
    const digest = digestFrom(flags, io);
    const { driver } = openPart(file, io);
    const raw = await driver.createSignature(digest, flags.slot);
    const der = ecdsaRawToDer(raw);
    if (flags.out !== undefined) {
      writeFileAtomic(resolve(io.cwd, flags.out), flags.raw === true ? raw : der, {
        overwrite: flags.force === true,
      });
    }
    out.result(
      {
        slot: flags.slot,
        digest: hex(digest),
        r: hex(raw.subarray(0, 32)),
        s: hex(raw.subarray(32)),
        der: hex(der),
      },
      () =>
        flags.out !== undefined
          ? `signature (${flags.raw === true ? 'R‖S' : 'DER'}) written to ${flags.out}`
          : hex(flags.raw === true ? raw : der),
    );
  });
}

function digestFrom(flags: Flags, io: CliIo): Uint8Array {
  if ((flags.in === undefined) === (flags.digest === undefined)) {
    throw new LabError('ERR_OPTIONS_INVALID', 'give exactly one of --in FILE or --digest HEX', {
      details: { option: 'in' },
    });
  }
  if (flags.in !== undefined) {
    return new Uint8Array(
      createHash('sha256')
        .update(readFileChecked(resolve(io.cwd, flags.in)))
        .digest(),
    );
  }
  if (!/^[0-9a-fA-F]{64}$/.test(flags.digest!)) {
    throw new LabError('ERR_OPTIONS_INVALID', '--digest is a SHA-256 digest: 64 hex digits', {
      details: { option: 'digest' },
    });
  }
  return Uint8Array.from(Buffer.from(flags.digest!, 'hex'));
}
