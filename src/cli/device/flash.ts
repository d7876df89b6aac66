import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../core/fs.js';
import { type CliIo, Output } from '../io.js';
import { addForce, addJson, examples } from '../options.js';
import { addFirmwareOptions, buildFromFlags, type FirmwareFlags, roleArgument } from './firmware.js';

interface Flags extends FirmwareFlags {
  out: string;
  force?: boolean;
  json?: boolean;
}

export function registerFlash(device: Command, io: CliIo): void {
  const cmd = device
    .command('flash')
    .argument('<device>', 'm5go or m5stack', roleArgument)
    .description('build the 4 MiB ESP32 flash image a device boots from (what esptool read_flash dumps)')
    .helpOption('--help', 'display help for command');
  addFirmwareOptions(cmd).requiredOption('-o, --out <file>', 'the .bin to write');
  addJson(addForce(cmd));
  cmd.addHelpText(
    'after',
    [
      '',
      'Step 2 compiles the private key into the image: the file is written 0600 and anyone who can',
      "read it (or the device's flash) has the key. Steps 1 and 3 keep no key in flash.",
      examples([
        'mqtts-lab device flash m5go --step 2 --cafile tls/ca.crt --cert tls/m5go-01.crt --key tls/m5go-01.key -o m5go.bin',
        'mqtts-lab device flash m5go --step 3 --cafile tls/ca.crt --cert tls/m5go-01.crt -o m5go-step3.bin',
        'mqtts-lab device flash m5stack --step 4 --cafile tls/ca.crt --cert tls/m5stack-s4.crt --signed-readings --publisher-cert tls/m5go-s4.crt -o m5stack-step4.bin',
      ]),
    ].join('\n'),
  );
  cmd.action((role: 'm5go' | 'm5stack', flags: Flags) => {
    const out = new Output(io, flags.json === true);
    const image = buildFromFlags(role, flags, io);
    const path = resolve(io.cwd, flags.out);
    const holdsKey = flags.step === 2;
    writeFileAtomic(path, image, { mode: holdsKey ? 0o600 : 0o644, overwrite: flags.force === true });
    if (holdsKey) out.warn('this image holds the private key in clear (step 2): a flash dump gives it away');
    out.result(
      { path, bytes: image.length, step: flags.step, keyInFlash: holdsKey },
      () => `${path}: ${image.length} bytes, step ${flags.step}${holdsKey ? ', private key in flash' : ''}`,
    );
  });
}
