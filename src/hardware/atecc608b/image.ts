import { createHash } from 'node:crypto';
import { LabError } from '../../core/errors.js';
import type { ProfileName } from './profiles.js';
import { CONFIG_SIZE, COUNTER_MAX, DATA_SIZE, Eeprom, OTP_SIZE } from './zones.js';

/**
 * A part is a file. Layout (all integers big-endian):
 *
 * | offset | size  | field |
 * |-------:|------:|-------|
 * | 0      | 8     | magic `ATECC608` |
 * | 8      | 2     | format version (1) |
 * | 10     | 1     | profile the part was made as: 0 blank, 1 tngtls |
 * | 11     | 1     | reserved, 0 |
 * | 12     | 4     | total length of the image (1,456) |
 * | 16     | 128   | configuration zone |
 * | 144    | 64    | OTP zone |
 * | 208    | 1,208 | data zone, slots 0–15 in order; private keys in their slots as the part stores them |
 * | 1,416  | 4     | monotonic counter 0 |
 * | 1,420  | 4     | monotonic counter 1 |
 * | 1,424  | 32    | SHA-256 of bytes 0–1,423 |
 *
 * Only non-volatile state is saved: a loaded part is a part that was powered off.
 */
export const IMAGE_MAGIC = 'ATECC608';
export const IMAGE_VERSION = 1;
const HEADER = 16;
const CONFIG_AT = HEADER;
const OTP_AT = CONFIG_AT + CONFIG_SIZE;
const DATA_AT = OTP_AT + OTP_SIZE;
const COUNTERS_AT = DATA_AT + DATA_SIZE;
const CHECKSUM_AT = COUNTERS_AT + 8;
export const IMAGE_SIZE = CHECKSUM_AT + 32;

export interface PartImage {
  readonly profile: ProfileName;
  readonly eeprom: Eeprom;
}

export function encodeImage(image: PartImage): Uint8Array {
  const out = Buffer.alloc(IMAGE_SIZE);
  out.write(IMAGE_MAGIC, 0, 'ascii');
  out.writeUInt16BE(IMAGE_VERSION, 8);
  out.writeUInt8(image.profile === 'tngtls' ? 1 : 0, 10);
  out.writeUInt32BE(IMAGE_SIZE, 12);
  out.set(image.eeprom.config, CONFIG_AT);
  out.set(image.eeprom.otp, OTP_AT);
  out.set(image.eeprom.data, DATA_AT);
  out.writeUInt32BE(image.eeprom.counters[0], COUNTERS_AT);
  out.writeUInt32BE(image.eeprom.counters[1], COUNTERS_AT + 4);
  out.set(createHash('sha256').update(out.subarray(0, CHECKSUM_AT)).digest(), CHECKSUM_AT);
  return new Uint8Array(out);
}

/** Decode an image; every check runs before any state is built, so a bad file yields nothing. */
export function decodeImage(bytes: Uint8Array): PartImage {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < HEADER || b.toString('ascii', 0, 8) !== IMAGE_MAGIC)
    throw malformed('not a secure-element part image (bad magic)', { reason: 'magic' });
  const version = b.readUInt16BE(8);
  if (version !== IMAGE_VERSION)
    throw malformed(`image format version ${version} is not supported (expected ${IMAGE_VERSION})`, {
      reason: 'version',
      version,
    });
  if (b.length !== IMAGE_SIZE || b.readUInt32BE(12) !== IMAGE_SIZE)
    throw malformed(`an image is ${IMAGE_SIZE} bytes, this one is ${b.length}`, {
      reason: 'size',
      size: b.length,
    });
  const digest = createHash('sha256').update(b.subarray(0, CHECKSUM_AT)).digest();
  if (!digest.equals(b.subarray(CHECKSUM_AT)))
    throw malformed('the image checksum does not match (corrupted or edited)', { reason: 'checksum' });
  const profileCode = b.readUInt8(10);
  const counters = [b.readUInt32BE(COUNTERS_AT), b.readUInt32BE(COUNTERS_AT + 4)] as const;
  if (profileCode > 1 || b.readUInt8(11) !== 0 || counters[0] > COUNTER_MAX || counters[1] > COUNTER_MAX)
    throw malformed('the image header or counters hold impossible values', { reason: 'fields' });
  const eeprom = new Eeprom();
  eeprom.config.set(b.subarray(CONFIG_AT, OTP_AT));
  eeprom.otp.set(b.subarray(OTP_AT, DATA_AT));
  eeprom.data.set(b.subarray(DATA_AT, COUNTERS_AT));
  eeprom.counters[0] = counters[0];
  eeprom.counters[1] = counters[1];
  return { profile: profileCode === 0 ? 'blank' : 'tngtls', eeprom };
}

function malformed(message: string, details: Record<string, unknown>): LabError {
  return new LabError('ERR_SE_IMAGE_MALFORMED', message, { details });
}
