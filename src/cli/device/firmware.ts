import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { LabError } from '../../core/errors.js';
import { readFileChecked } from '../../core/fs.js';
import { buildFirmwareFlash, type FirmwareSettings, type KeySource, type Role } from '../../device/index.js';
import type { CliIo } from '../io.js';

/** The flags that say what firmware to build: the sketch's #defines and its certificates. */
export interface FirmwareFlags {
  step: 1 | 2 | 3 | 4;
  host: string;
  port?: number;
  id?: string;
  topic: string;
  cafile?: string;
  cert?: string;
  key?: string;
  signedReadings?: boolean;
  publisherCert?: string;
}

export const KEY_SOURCE: Readonly<Record<1 | 2 | 3 | 4, KeySource>> = {
  1: 'none',
  2: 'flash',
  3: 'se-slot8',
  4: 'se-slot0',
};

export function addFirmwareOptions(cmd: Command): Command {
  return cmd
    .requiredOption(
      '--step <n>',
      '1 plain MQTT, 2 mTLS with the key in flash, 3 mTLS with the key in SE slot 8, 4 mTLS signed inside the SE (slot 0)',
      stepOption,
    )
    .option('-h, --host <host>', 'broker host', 'localhost')
    .option('-p, --port <port>', 'broker port (default 1883 for step 1, 8883 otherwise)', portOption)
    .option('-i, --id <id>', 'MQTT client id (default m5go-01 / m5stack-01)')
    .option('-t, --topic <topic>', 'telemetry topic', 'm5go/env')
    .option('--cafile <file>', 'CA certificate compiled into the firmware (steps 2–3)')
    .option('--cert <file>', "the device's certificate, compiled into the firmware (steps 2–3)")
    .option(
      '--key <file>',
      'step 2 only: the private key compiled into the firmware (what a flash dump finds)',
    )
    .option(
      '--signed-readings',
      'm5go (step 4): sign every reading in the secure element (slot 0); m5stack: verify every reading against --publisher-cert and flag any that fails',
    )
    .option(
      '--publisher-cert <file>',
      "m5stack with --signed-readings: the publisher's certificate, compiled in and validated against --cafile",
    );
}

export function firmwareSettings(role: Role, flags: FirmwareFlags, io: CliIo): FirmwareSettings {
  const keySource = KEY_SOURCE[flags.step];
  const read = (file: string | undefined, what: string, needed: boolean): string | undefined => {
    if (file === undefined) {
      if (needed)
        throw new LabError('ERR_OPTIONS_INVALID', `step ${flags.step} needs --${what}`, {
          details: { option: what },
        });
      return undefined;
    }
    return readFileChecked(resolve(io.cwd, file)).toString('utf8');
  };
  const tls = flags.step !== 1;
  if (flags.step !== 2 && flags.key !== undefined) {
    throw new LabError(
      'ERR_OPTIONS_INVALID',
      flags.step >= 3
        ? `step ${flags.step} keeps the key in the secure element (${flags.step === 3 ? 'provision slot 8 with `se provision`' : 'slot 0, made in the chip'}), not --key`
        : 'step 1 has no key',
      { details: { option: 'key' } },
    );
  }
  checkSignedFlags(role, flags);
  return {
    role,
    keySource,
    mqttHost: flags.host,
    mqttPort: flags.port ?? (tls ? 8883 : 1883),
    clientId: flags.id ?? (role === 'm5go' ? 'm5go-01' : 'm5stack-01'),
    topic: flags.topic,
    caCert: tls ? read(flags.cafile, 'cafile', true) : undefined,
    clientCert: tls ? read(flags.cert, 'cert', true) : undefined,
    clientKey: flags.step === 2 ? read(flags.key, 'key', true) : undefined,
    ...(flags.signedReadings === true ? { signedReadings: true } : {}),
    ...(flags.publisherCert !== undefined
      ? { publisherCert: read(flags.publisherCert, 'publisher-cert', true) }
      : {}),
  };
}

/** Signed readings: the publisher needs its chip's slot-0 key, the subscriber a CA and a certificate. */
function checkSignedFlags(role: Role, flags: FirmwareFlags): void {
  const invalid = (option: string, message: string) =>
    new LabError('ERR_OPTIONS_INVALID', message, { details: { option } });
  if (flags.signedReadings === true && role === 'm5go' && flags.step !== 4) {
    throw invalid(
      'signed-readings',
      `--signed-readings on the m5go needs --step 4: readings are signed with the secure element's slot-0 key`,
    );
  }
  if (flags.signedReadings === true && role === 'm5stack') {
    if (flags.step === 1)
      throw invalid(
        'signed-readings',
        '--signed-readings on the m5stack needs a CA in flash: --step 2, 3 or 4',
      );
    if (flags.publisherCert === undefined)
      throw invalid('publisher-cert', '--signed-readings on the m5stack needs --publisher-cert');
  }
  if (flags.publisherCert !== undefined && !(role === 'm5stack' && flags.signedReadings === true)) {
    throw invalid('publisher-cert', '--publisher-cert is for an m5stack run with --signed-readings');
  }
}

export function buildFromFlags(role: Role, flags: FirmwareFlags, io: CliIo): Uint8Array {
  return buildFirmwareFlash(firmwareSettings(role, flags, io));
}

export function roleArgument(value: string): Role {
  if (value !== 'm5go' && value !== 'm5stack')
    throw new InvalidArgumentError('the device is m5go (publisher) or m5stack (subscriber)');
  return value;
}

function stepOption(value: string): 1 | 2 | 3 | 4 {
  if (!['1', '2', '3', '4'].includes(value)) throw new InvalidArgumentError('step is 1, 2, 3 or 4');
  return Number(value) as 1 | 2 | 3 | 4;
}

function portOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new InvalidArgumentError(`port must be 1–65535, got "${value}"`);
  return n;
}
