import { LabError } from '../../core/errors.js';
import { APP_DESC_MAGIC } from './format.js';

/**
 * esp_app_desc_t (esp_app_format.h, 256 bytes), placed by the linker at the start of the first
 * DROM segment; the bootloader and esp_ota_get_app_description() read it from there.
 */
export const APP_DESC_LENGTH = 256;

export interface AppDescription {
  readonly secureVersion: number;
  readonly version: string;
  readonly projectName: string;
  /** __TIME__ and __DATE__ of the build ("hh:mm:ss", "Mmm dd yyyy"). */
  readonly time: string;
  readonly date: string;
  readonly idfVersion: string;
  /** Hex SHA-256 the build computed over the ELF file. */
  readonly appElfSha256: string;
}

/** Field offsets and sizes: magic_word, secure_version, reserv1[2], then the strings. */
const FIELDS = {
  version: [16, 32],
  projectName: [48, 32],
  time: [80, 16],
  date: [96, 16],
  idfVersion: [112, 32],
} as const;
const SHA_AT = 144;

export function encodeAppDesc(desc: AppDescription): Uint8Array {
  const out = new Uint8Array(APP_DESC_LENGTH);
  const view = new DataView(out.buffer);
  view.setUint32(0, APP_DESC_MAGIC, true);
  view.setUint32(4, desc.secureVersion, true);
  for (const [key, [at, size]] of Object.entries(FIELDS)) {
    const bytes = Buffer.from(desc[key as keyof typeof FIELDS], 'utf8');
    // char[N] fields are NUL-terminated: at most N − 1 bytes of text.
    if (bytes.length >= size) {
      throw new LabError('ERR_OPTIONS_INVALID', `app description: ${key} is longer than ${size - 1} bytes`);
    }
    out.set(bytes, at);
  }
  const sha = Buffer.from(desc.appElfSha256, 'hex');
  if (sha.length !== 32)
    throw new LabError('ERR_OPTIONS_INVALID', 'app description: appElfSha256 is not 32 bytes of hex');
  out.set(sha, SHA_AT);
  // reserv2 (IDF 5 carves efuse block revisions and mmu_page_size out of it): zero.
  return out;
}

/** The description at the start of `data`, or null when the magic word is not there. */
export function decodeAppDesc(data: Uint8Array): AppDescription | null {
  if (data.length < APP_DESC_LENGTH) return null;
  const view = new DataView(data.buffer, data.byteOffset, APP_DESC_LENGTH);
  if (view.getUint32(0, true) !== APP_DESC_MAGIC) return null;
  const text = ([at, size]: readonly [number, number]) =>
    Buffer.from(data.subarray(at, at + size))
      .toString('utf8')
      .replace(/\0.*$/s, '');
  return {
    secureVersion: view.getUint32(4, true),
    version: text(FIELDS.version),
    projectName: text(FIELDS.projectName),
    time: text(FIELDS.time),
    date: text(FIELDS.date),
    idfVersion: text(FIELDS.idfVersion),
    appElfSha256: Buffer.from(data.subarray(SHA_AT, SHA_AT + 32)).toString('hex'),
  };
}
