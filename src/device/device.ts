import { type Clock, systemClock } from '../core/clock.js';
import { isLabError, LabError } from '../core/errors.js';
import { type Rng, systemRng } from '../core/rng.js';
import type { Atecc608b } from '../hardware/atecc608b/index.js';
import type { AmbientSource } from '../hardware/env2/index.js';
import type { BusClock } from '../hardware/i2c/index.js';
import { Publisher } from './apps/publisher.js';
import { Subscriber } from './apps/subscriber.js';
import { Board } from './firmware/board.js';
import { SerialConsole } from './firmware/console.js';
import { type FirmwareSettings, readFirmwareFlash } from './firmware/flash.js';
import { keyFromFlash, keyFromSlot8, openSecureElement } from './firmware/identity.js';
import { secureElementSigner } from './drivers/atecc608-signer.js';
import type { ResponseWait } from './drivers/atecc608.js';
import { MqttLink } from './firmware/link.js';
import { DeviceRam } from './firmware/ram.js';
import { type DeviceTls, type DeviceTlsVersion, deviceTls } from './firmware/tls.js';
import { ReadingVerifier } from './apps/reading-verifier.js';
import type { Signer } from '../pki/index.js';

export interface DeviceOptions {
  /** The firmware: a 4 MiB flash image from buildFirmwareFlash (its constants say role, step, broker). */
  readonly flash: Uint8Array;
  readonly secureElement?: Atecc608b;
  /** The room the ENV II unit measures; the M5Go publisher needs one. */
  readonly environment?: AmbientSource;
  /**
   * Highest TLS version offered: 1.2 (default, as the lab sheet's ESP32) runs the device's own
   * TLS 1.2 client; 1.3 runs Node's TLS (not with se-slot0: it needs the key bytes).
   */
  readonly tlsMaxVersion?: DeviceTlsVersion;
  /** Name to check in the broker's certificate, when the host in flash is an IP address. */
  readonly servername?: string;
  /** Wipe the key buffers once the TLS stack holds the key (the lab sheet's mitigation; default true). */
  readonly zeroKeyBuffers?: boolean;
  readonly intervalMs?: number;
  /** Publisher: stop after this many readings. */
  readonly count?: number;
  readonly qos?: 0 | 1;
  readonly clock?: Clock;
  readonly rng?: Rng;
  readonly busClock?: BusClock;
  /** How the secure element driver waits for an answer (default 'sparkfun-delays', as the lab sheet's firmware). */
  readonly seWait?: ResponseWait;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
}

export interface RunningDevice {
  readonly settings: FirmwareSettings | undefined;
  readonly console: SerialConsole;
  readonly board: Board;
  readonly ram: DeviceRam;
  /** 'halted': the boot stopped before any network activity (see haltReason). */
  readonly status: 'running' | 'halted';
  readonly haltReason: LabError | undefined;
  readonly link: MqttLink | undefined;
  readonly publisher: Publisher | undefined;
  readonly subscriber: Subscriber | undefined;
  stop(): Promise<void>;
}

/**
 * Power on a device: read the firmware's constants from flash, load the identity for its key
 * source (flash, secure element slot 8 or slot 0), build the TLS context, wipe the key
 * buffers, set up signed readings (the publisher signs with the TLS client's slot-0 signer;
 * the subscriber validates the publisher certificate in its flash), then connect and run the
 * role's application. Boot failures halt the device before any network activity; the console
 * says why.
 */
export async function bootDevice(options: DeviceOptions): Promise<RunningDevice> {
  const clock = options.clock ?? systemClock;
  const log = new SerialConsole(clock);
  const ram = new DeviceRam();
  const board = new Board({
    flash: options.flash,
    secureElement: options.secureElement,
    environment: options.environment,
    clock: options.busClock,
  });
  const halted = (reason: LabError, settings?: FirmwareSettings): RunningDevice => ({
    settings,
    console: log,
    board,
    ram,
    status: 'halted',
    haltReason: reason,
    link: undefined,
    publisher: undefined,
    subscriber: undefined,
    stop: async () => {},
  });
  log.println('Booting…');
  let settings: FirmwareSettings;
  try {
    settings = readFirmwareFlash(options.flash);
  } catch (err) {
    log.println('Error: firmware constants unreadable. Halting.');
    return halted(asLabError(err));
  }
  log.println(
    `${settings.role === 'm5go' ? 'M5Go publisher' : 'M5Stack subscriber'} ${settings.clientId}, key source ${settings.keySource}.`,
  );

  let tls: DeviceTls | undefined;
  let seSigner: Signer | undefined;
  try {
    ({ tls, seSigner } = await buildTls(settings, options, board, ram, log));
  } catch (err) {
    return halted(asLabError(err), settings);
  }
  let verifier: ReadingVerifier | undefined;
  if (settings.signedReadings === true && settings.role === 'm5go') {
    // The reading signer is the TLS client's: only key source se-slot0 has one in the chip.
    if (seSigner === undefined) {
      log.println('Error: signed readings need the secure element (key source se-slot0). Halting.');
      return halted(
        new LabError('ERR_ESP32_IMAGE_MALFORMED', `signed_readings with key source ${settings.keySource}`, {
          details: { constant: 'signed_readings' },
        }),
        settings,
      );
    }
    log.println('Readings signed by the secure element (slot 0).');
  } else if (settings.signedReadings === true) {
    try {
      verifier = ReadingVerifier.create({
        caCert: settings.caCert ?? '',
        publisherCert: settings.publisherCert ?? '',
        clock,
      });
    } catch (err) {
      log.println(`Error: ${(err as Error).message}. Halting.`);
      return halted(asLabError(err), settings);
    }
    log.println(
      `Readings verified against ${verifier.deviceId}'s certificate (SHA-256 ${verifier.fingerprint.slice(0, 23)}…).`,
    );
  }

  const link = new MqttLink({
    host: settings.mqttHost,
    port: settings.mqttPort,
    clientId: settings.clientId,
    tls,
    servername: options.servername,
    rng: options.rng ?? systemRng,
    log,
    backoff: options.backoff,
  });
  const qos = options.qos ?? 0;
  const publisher =
    settings.role === 'm5go'
      ? new Publisher(board, link, log, {
          deviceId: settings.clientId,
          topic: settings.topic,
          intervalMs: options.intervalMs ?? 2_000,
          qos,
          count: options.count,
          clock,
          ...(settings.signedReadings === true && seSigner ? { signer: seSigner } : {}),
        })
      : undefined;
  const subscriber =
    settings.role === 'm5stack'
      ? new Subscriber(link, log, {
          topic: settings.topic,
          qos,
          now: () => clock.now().getTime(),
          ...(verifier ? { verifier } : {}),
        })
      : undefined;
  link.start();
  publisher?.start();
  return {
    settings,
    console: log,
    board,
    ram,
    status: 'running',
    haltReason: undefined,
    link,
    publisher,
    subscriber,
    stop: async () => {
      publisher?.stop();
      await link.stop();
    },
  };
}

async function buildTls(
  settings: FirmwareSettings,
  options: DeviceOptions,
  board: Board,
  ram: DeviceRam,
  log: SerialConsole,
): Promise<{ tls: DeviceTls | undefined; seSigner: Signer | undefined }> {
  if (settings.keySource === 'none') return { tls: undefined, seSigner: undefined };
  if (settings.caCert === undefined || settings.clientCert === undefined) {
    log.println('Error: no CA or client certificate in flash. Halting.');
    throw new LabError('ERR_ESP32_IMAGE_MALFORMED', 'the firmware has no ca_cert / client_cert constants', {
      details: { constant: 'ca_cert' },
    });
  }
  const maxVersion = options.tlsMaxVersion ?? '1.2';
  try {
    if (settings.keySource === 'se-slot0') {
      // Step 4: the key never leaves the chip; the TLS client asks the chip to sign.
      const se = await openSecureElement(board, log, options.seWait);
      const signer = await secureElementSigner(se, 0);
      const tls = deviceTls({ caCert: settings.caCert, clientCert: settings.clientCert, signer, maxVersion });
      log.println(
        'TLS client ready (CA + client certificate from flash, signatures by the secure element, slot 0).',
      );
      return { tls, seSigner: signer };
    }
    const keyPem =
      settings.keySource === 'flash'
        ? keyFromFlash(settings, ram, log)
        : await keyFromSlot8(await openSecureElement(board, log, options.seWait), ram, log);
    const tls = deviceTls({ caCert: settings.caCert, clientCert: settings.clientCert, keyPem, maxVersion });
    log.println(`TLS client ready (CA + client certificate from flash, key from ${settings.keySource}).`);
    return { tls, seSigner: undefined };
  } catch (err) {
    if (!/Halting\.$/.test(log.lines().at(-1)?.text ?? ''))
      log.println(`Error: ${(err as Error).message}. Halting.`);
    throw err;
  } finally {
    if (ram.names().length > 0) {
      if (options.zeroKeyBuffers !== false) {
        ram.zeroAll();
        log.println('Key buffers zeroed.');
      } else {
        log.println('Warning: key buffers left in RAM (zeroing disabled).');
      }
    }
  }
}

function asLabError(err: unknown): LabError {
  if (isLabError(err)) return err;
  return new LabError('ERR_OPTIONS_INVALID', (err as Error).message, { cause: err });
}
