import { resolve } from 'node:path';
import type { Command } from 'commander';
import { SeededRng, systemRng } from '../../core/rng.js';
import { type Reading, type ReadingStatus, bootDevice } from '../../device/index.js';
import { Atecc608b } from '../../hardware/atecc608b/index.js';
import { Environment } from '../../hardware/env2/index.js';
import { type CliIo, Output } from '../io.js';
import { LabError } from '../../core/errors.js';
import { addJson, examples, positiveNumber, wholeNumber } from '../options.js';
import { addFirmwareOptions, buildFromFlags, type FirmwareFlags, roleArgument } from './firmware.js';
import { readFileChecked } from '../../core/fs.js';

interface Flags extends FirmwareFlags {
  flash?: string;
  se?: string;
  servername?: string;
  tlsVersion: '1.2' | '1.3';
  seWait: string;
  interval: number;
  count?: number;
  qos: string;
  seed?: string;
  keepKeyInRam?: boolean;
  json?: boolean;
}

export function registerRun(device: Command, io: CliIo): void {
  const cmd = device
    .command('run')
    .argument(
      '<device>',
      'm5go (publisher: ENV II → m5go/env) or m5stack (subscriber: displays m5go/env)',
      roleArgument,
    )
    .description('boot a device on emulated hardware and run it against a broker (ours or Mosquitto)')
    .helpOption('--help', 'display help for command');
  addFirmwareOptions(cmd)
    .option(
      '--flash <file>',
      'boot this flash image (from `device flash`) instead of building one from the flags',
    )
    .option(
      '--se <file>',
      'secure element part image plugged into Port A (step 3; see `se create`/`se provision`)',
    )
    .option('--servername <name>', "name to check in the broker's certificate (default: the host)")
    .option(
      '--tls-version <v>',
      "highest TLS version the device offers: 1.2 (the lab sheet's ESP32) or 1.3",
      '1.2',
    )
    .option(
      '--se-wait <mode>',
      "how the secure element driver waits for an answer: sparkfun (the lab sheet's library: fixed delays) or poll (CryptoAuthLib: polls until the part answers, up to its maximum execution time)",
      'sparkfun',
    )
    .option('--interval <ms>', 'publisher: milliseconds between readings', positiveNumber, 2000)
    .option(
      '-C, --count <n>',
      'publisher: stop after n readings; subscriber: after n accepted (flagged ones do not count)',
      wholeNumber,
    )
    .option('-q, --qos <0|1>', 'QoS of the readings (PubSubClient publishes at 0)', '0')
    .option('--seed <text>', 'seed of the room the ENV II unit measures (default: random)')
    .option(
      '--keep-key-in-ram',
      'do not wipe the key buffers after TLS setup (to show what the wipe protects)',
    );
  addJson(cmd);
  cmd.addHelpText(
    'after',
    [
      '',
      "The console is the device's serial output. With --json each displayed or published reading is",
      'printed as one JSON line instead (a flagged one with "flagged": the reason). Exit status 1 when',
      'the device halts at boot.',
      '',
      'Signed readings: the m5go adds "sig", ECDSA P-256 by its secure element over every field; the',
      'm5stack validates --publisher-cert against --cafile at boot, then displays a reading whose',
      "signature is missing, malformed or wrong as FLAGGED and does not count it as the device's.",
      examples([
        'mqtts-lab device run m5stack --step 1 -h localhost',
        'mqtts-lab device run m5go --step 2 --cafile tls/ca.crt --cert tls/m5go-01.crt --key tls/m5go-01.key',
        'mqtts-lab device run m5go --step 3 --cafile tls/ca.crt --cert tls/m5go-01.crt --se m5go.se --count 10',
        'mqtts-lab device run m5go --step 4 --cafile tls/ca.crt --cert tls/m5go-s4.crt --se m5go.se --signed-readings',
        'mqtts-lab device run m5go --step 4 --cafile tls/ca.crt --cert tls/m5go-s4.crt --se m5go.se --tls-version 1.3 --se-wait poll',
        'mqtts-lab device run m5stack --step 4 --cafile tls/ca.crt --cert tls/m5stack-s4.crt --se m5stack.se -i m5stack-01 --signed-readings --publisher-cert tls/m5go-s4.crt',
      ]),
    ].join('\n'),
  );
  cmd.action(async (role: 'm5go' | 'm5stack', flags: Flags) => {
    const out = new Output(io, flags.json === true);
    if (flags.tlsVersion !== '1.2' && flags.tlsVersion !== '1.3') {
      throw new LabError(
        'ERR_OPTIONS_INVALID',
        `--tls-version is 1.2 or 1.3, not ${String(flags.tlsVersion)}`,
        {
          details: { option: 'tls-version' },
        },
      );
    }
    if (flags.seWait !== 'sparkfun' && flags.seWait !== 'poll') {
      throw new LabError(
        'ERR_OPTIONS_INVALID',
        `--se-wait is sparkfun or poll, not ${String(flags.seWait)}`,
        {
          details: { option: 'se-wait' },
        },
      );
    }
    if (flags.keepKeyInRam === true)
      out.warn('key buffers are left in RAM after TLS setup (--keep-key-in-ram)');
    const flash =
      flags.flash !== undefined
        ? new Uint8Array(readFileChecked(resolve(io.cwd, flags.flash)))
        : buildFromFlags(role, flags, io);
    const secureElement = flags.se !== undefined ? Atecc608b.load(resolve(io.cwd, flags.se)) : undefined;
    const rng = flags.seed !== undefined ? new SeededRng(flags.seed) : systemRng;
    const device = await bootDevice({
      flash,
      secureElement,
      environment: role === 'm5go' ? new Environment({ rng }) : undefined,
      tlsMaxVersion: flags.tlsVersion,
      seWait: flags.seWait === 'poll' ? 'poll' : 'sparkfun-delays',
      servername: flags.servername,
      zeroKeyBuffers: flags.keepKeyInRam !== true,
      intervalMs: flags.interval,
      count: role === 'm5go' ? flags.count : undefined,
      qos: flags.qos === '1' ? 1 : 0,
    });
    const print = (line: { ms: number; text: string }): void => {
      if (!out.json) io.stdout(`[${String(line.ms).padStart(7)} ms] ${line.text}\n`);
    };
    device.console.lines().forEach(print);
    const off = device.console.onLine(print);
    try {
      if (device.status === 'halted') throw device.haltReason!; // the console said why
      const json = (r: Reading, status?: ReadingStatus): void => {
        const line = status?.kind === 'flagged' ? { ...r, flagged: status.reason } : r;
        if (out.json) io.stdout(`${JSON.stringify(line)}\n`);
      };
      await new Promise<void>((done) => {
        const stop = (): void => {
          process.off('SIGINT', stop).off('SIGTERM', stop);
          done();
        };
        process.once('SIGINT', stop).once('SIGTERM', stop);
        if (device.publisher) {
          device.publisher.onReading((r) => json(r));
          void device.publisher.finished.then(stop);
        }
        if (device.subscriber) {
          device.subscriber.onReading((r, status) => {
            json(r, status);
            if (flags.count !== undefined && device.subscriber!.state.received >= flags.count) stop();
          });
        }
      });
    } finally {
      off();
      await device.stop();
    }
  });
}
