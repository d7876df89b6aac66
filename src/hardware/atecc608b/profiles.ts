import { LabError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { CONFIG } from './config.js';
import { randomScalar } from './p256.js';
import { storePrivateKey } from './keys.js';
import { Eeprom } from './zones.js';

export type ProfileName = 'tngtls' | 'blank';
export const PROFILES: readonly ProfileName[] = ['tngtls', 'blank'];

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));

/**
 * The configuration zone of an ATECC608B-TNGTLS (reference §1.3, a real part's dump). Serial
 * bytes 2–3 and 8–11 are replaced per part; everything else is what the factory locked.
 */
export const TNGTLS_CONFIG: Uint8Array = bytes(`
  01 23 3F CE 00 00 60 03  99 12 44 0F 01 61 55 00
  6A 00 00 01 85 00 82 00  85 20 85 20 85 20 0F 8F
  8F 0F 8F 8F 0F 0F 8F 0F  0F 8F 0F 8F 0F 8F 8F 8F
  8F 8F 8F 8F 00 00 00 01  00 00 00 00 0F FF FF FF
  00 00 00 00 00 00 00 F7  00 69 76 00 00 00 00 00
  00 00 00 00 00 00 00 00  FF FF 0E 60 00 00 00 00
  53 00 53 00 73 00 73 00  73 00 1C 00 7C 00 1C 00
  3C 00 1A 00 1C 00 10 00  1C 00 1C 00 1C 00 1C 00`);

/**
 * A blank ATECC608B as it leaves the factory unlocked: the default slot/key configuration
 * read from unprogrammed ATECC508A/608A parts (the first 32 bytes match the blank-608A read-out
 * in CryptoAuthLib issue #51: I2C address 0xC0, SN[8] = 0xEE, SlotConfig 2083 2087 208F 8FC4…),
 * with the 608B revision. Slots 0–2 are P-256 private keys GenKey may fill; slots 8–14 are clear
 * read/write data; both lock bytes are 0x55.
 */
export const BLANK_CONFIG: Uint8Array = bytes(`
  01 23 00 00 00 00 60 03  00 00 00 00 EE 01 5D 00
  C0 00 00 00 83 20 87 20  8F 20 C4 8F 8F 8F 8F 8F
  9F 8F AF 8F 00 00 00 00  00 00 00 00 00 00 00 00
  00 00 AF 8F FF FF FF FF  00 00 00 00 FF FF FF FF
  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
  00 00 00 00 00 00 55 55  FF FF 00 00 00 00 00 00
  33 00 33 00 33 00 1C 00  1C 00 1C 00 1C 00 1C 00
  3C 00 3C 00 3C 00 3C 00  3C 00 3C 00 3C 00 1C 00`);

/**
 * OTP of a TNGTLS part: CryptoAuthLib app/tng/tng_atca.c identifies the certificate
 * definition from OTP[0:8]; "KQp2ZkD8" is one of the TNGTLS codes. The rest is not known.
 */
const TNGTLS_OTP_CODE = 'KQp2ZkD8';

/** Microchip's IEEE OUI, the prefix of the EUI-48 stored in slot 5 as ASCII hex. */
const MICROCHIP_OUI = '049162';

export interface CertificateSlots {
  /** Slot 10: the device's compressed certificate (72 bytes at most). */
  readonly device?: Uint8Array | undefined;
  /** Slot 11: the signer's public key. */
  readonly signerPublicKey?: Uint8Array | undefined;
  /** Slot 12: the signer's compressed certificate. */
  readonly signer?: Uint8Array | undefined;
}

export interface ManufactureOptions {
  readonly rng: Rng;
  /** The 9-byte serial number; SN[0:1] must be 01 23. Random otherwise. */
  readonly serial?: Uint8Array | undefined;
  /** 7-bit I2C address written to config byte 16. */
  readonly i2cAddress?: number | undefined;
  readonly certificates?: CertificateSlots | undefined;
}

/** Build the EEPROM of a new part, as the factory leaves it. */
export function manufacture(profile: ProfileName, options: ManufactureOptions): Eeprom {
  const eeprom = new Eeprom();
  if (profile === 'tngtls') {
    eeprom.config.set(TNGTLS_CONFIG);
    setSerial(eeprom.config, options.serial ?? randomSerial(options.rng, 0x01));
    // Keys generated at manufacture: slot 0 (the device key), slot 1 (attestation) and the
    // updatable slots 2–4, all P-256 (KeyConfig 0x0053 / 0x0073).
    for (let slot = 0; slot <= 4; slot++) storePrivateKey(eeprom, slot, randomScalar(options.rng));
    const mac = MICROCHIP_OUI + Buffer.from(options.rng.bytes(3)).toString('hex').toUpperCase();
    eeprom.slot(5).set(Buffer.from(mac, 'ascii'));
    eeprom.otp.set(Buffer.from(TNGTLS_OTP_CODE, 'ascii'));
    const certs = options.certificates ?? {};
    putSlot(eeprom, 10, certs.device);
    putSlot(eeprom, 11, certs.signerPublicKey);
    putSlot(eeprom, 12, certs.signer);
  } else {
    if (options.certificates)
      throw new LabError('ERR_OPTIONS_INVALID', 'a blank part has no factory certificates', {
        details: { option: 'certificates' },
      });
    eeprom.config.set(BLANK_CONFIG);
    setSerial(eeprom.config, options.serial ?? randomSerial(options.rng, 0xee));
  }
  if (options.i2cAddress !== undefined) eeprom.config[CONFIG.I2C_ADDRESS] = options.i2cAddress << 1;
  return eeprom;
}

function randomSerial(rng: Rng, sn8: number): Uint8Array {
  const r = rng.bytes(6);
  return Uint8Array.of(0x01, 0x23, r[0]!, r[1]!, r[2]!, r[3]!, r[4]!, r[5]!, sn8);
}

function setSerial(config: Uint8Array, serial: Uint8Array): void {
  if (serial.length !== 9 || serial[0] !== 0x01 || serial[1] !== 0x23)
    throw new LabError('ERR_OPTIONS_INVALID', 'a serial number is 9 bytes starting 01 23', {
      details: { option: 'serial' },
    });
  config.set(serial.subarray(0, 4), CONFIG.SN_0_3);
  config.set(serial.subarray(4, 9), CONFIG.SN_4_8);
}

function putSlot(eeprom: Eeprom, slot: number, content: Uint8Array | undefined): void {
  if (!content) return;
  const target = eeprom.slot(slot);
  if (content.length > target.length)
    throw new LabError(
      'ERR_SE_SLOT_INVALID',
      `slot ${slot} holds ${target.length} bytes, the content has ${content.length}`,
      { details: { slot, length: content.length } },
    );
  target.set(content);
}
