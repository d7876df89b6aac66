import { LabError } from '../../core/errors.js';
import { buildFlashImage, listConstants, parseFlashImage } from '../../hardware/esp32/index.js';

/** Which lab step the firmware was built for, and where its private key comes from. */
export type KeySource = 'none' | 'flash' | 'se-slot8' | 'se-slot0';
export type Role = 'm5go' | 'm5stack';

/** The `const char *` globals of the Arduino sketch, as the flash image stores them. */
export interface FirmwareSettings {
  readonly role: Role;
  readonly keySource: KeySource;
  readonly mqttHost: string;
  readonly mqttPort: number;
  readonly clientId: string;
  readonly topic: string;
  /** PEM, steps 2–4. */
  readonly caCert?: string;
  readonly clientCert?: string;
  /** PEM private key compiled into the firmware: Step 2 only (the flaw the flash dump shows). */
  readonly clientKey?: string;
  /**
   * Signed readings (Step 4). M5Go: every reading is signed by the secure element with the
   * slot-0 key, so it needs key source se-slot0. M5Stack: every reading is verified against
   * `publisherCert`, and one that does not verify is displayed flagged, not as the device's.
   */
  readonly signedReadings?: boolean;
  /** M5Stack with signed readings: PEM certificate of the publisher, validated against `caCert`. */
  readonly publisherCert?: string;
}

const PROJECT: Record<Role, string> = { m5go: 'm5go-env-publisher', m5stack: 'm5stack-env-subscriber' };

/** Build the 4 MiB flash image the device boots from, with the sketch's constants in .rodata. */
export function buildFirmwareFlash(settings: FirmwareSettings): Uint8Array {
  if (settings.keySource === 'flash' && settings.clientKey === undefined) {
    throw new LabError('ERR_OPTIONS_INVALID', 'key source "flash" needs the client key to compile in', {
      details: { option: 'clientKey' },
    });
  }
  if (settings.keySource !== 'flash' && settings.clientKey !== undefined) {
    throw new LabError('ERR_OPTIONS_INVALID', `key source "${settings.keySource}" keeps no key in flash`, {
      details: { option: 'clientKey' },
    });
  }
  checkSignedReadings(settings);
  const constants: Record<string, string> = {
    role: settings.role,
    key_source: settings.keySource,
    mqtt_host: settings.mqttHost,
    mqtt_port: String(settings.mqttPort),
    client_id: settings.clientId,
    mqtt_topic: settings.topic,
  };
  if (settings.caCert !== undefined) constants.ca_cert = settings.caCert;
  if (settings.clientCert !== undefined) constants.client_cert = settings.clientCert;
  if (settings.clientKey !== undefined) constants.client_key = settings.clientKey;
  if (settings.signedReadings === true) constants.signed_readings = '1';
  if (settings.publisherCert !== undefined) constants.publisher_cert = settings.publisherCert;
  return buildFlashImage({ constants, app: { projectName: PROJECT[settings.role] } });
}

/** What the firmware reads back from its own flash at boot (ERR_ESP32_IMAGE_MALFORMED if it can't). */
export function readFirmwareFlash(flash: Uint8Array): FirmwareSettings {
  const c = listConstants(parseFlashImage(flash));
  const text = (name: string): string | undefined => {
    const v = c[name];
    return v === undefined ? undefined : typeof v === 'string' ? v : Buffer.from(v).toString('utf8');
  };
  const need = (name: string): string => {
    const v = text(name);
    if (v === undefined) {
      throw new LabError('ERR_ESP32_IMAGE_MALFORMED', `the firmware has no "${name}" constant`, {
        details: { constant: name },
      });
    }
    return v;
  };
  const role = need('role');
  const keySource = need('key_source');
  if (role !== 'm5go' && role !== 'm5stack') throw badConstant('role', role);
  if (!['none', 'flash', 'se-slot8', 'se-slot0'].includes(keySource))
    throw badConstant('key_source', keySource);
  const signed = text('signed_readings');
  if (signed !== undefined && signed !== '1') throw badConstant('signed_readings', signed);
  const port = Number(need('mqtt_port'));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw badConstant('mqtt_port', need('mqtt_port'));
  return {
    role,
    keySource: keySource as KeySource,
    mqttHost: need('mqtt_host'),
    mqttPort: port,
    clientId: need('client_id'),
    topic: need('mqtt_topic'),
    caCert: text('ca_cert'),
    clientCert: text('client_cert'),
    clientKey: text('client_key'),
    signedReadings: signed === '1',
    publisherCert: text('publisher_cert'),
  };
}

/** What signed readings need: the chip's slot-0 key to sign with, or a CA and a certificate to verify with. */
function checkSignedReadings(s: FirmwareSettings): void {
  const invalid = (option: string, message: string) =>
    new LabError('ERR_OPTIONS_INVALID', message, { details: { option } });
  if (s.signedReadings === true && s.role === 'm5go' && s.keySource !== 'se-slot0') {
    throw invalid(
      'signedReadings',
      `the M5Go signs readings with the secure element's slot-0 key: key source se-slot0 (Step 4), not "${s.keySource}"`,
    );
  }
  if (s.signedReadings === true && s.role === 'm5stack') {
    if (s.publisherCert === undefined)
      throw invalid('publisherCert', "verifying signed readings needs the publisher's certificate");
    if (s.caCert === undefined)
      throw invalid(
        'caCert',
        "verifying signed readings needs the CA that issued the publisher's certificate",
      );
  }
  if (s.publisherCert !== undefined && !(s.role === 'm5stack' && s.signedReadings === true)) {
    throw invalid(
      'publisherCert',
      'only an M5Stack that verifies signed readings holds a publisher certificate',
    );
  }
}

function badConstant(name: string, value: string): LabError {
  return new LabError('ERR_ESP32_IMAGE_MALFORMED', `firmware constant ${name} = "${value}" is not valid`, {
    details: { constant: name },
  });
}
