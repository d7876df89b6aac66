import { LabError } from '../../core/errors.js';
import { APP_DESC_LENGTH } from './app-desc.js';
import type { ImageSegment } from './app-image.js';
import { hex, malformed } from './format.js';

/**
 * The firmware's read-only data: the sketch's `static const char …[] PROGMEM` strings and
 * `const uint8_t …[]` arrays, laid out in the first DROM segment after esp_app_desc_t exactly as
 * the bytes a compiler emits — C strings with their NUL, arrays as is, 4-byte aligned. Nothing
 * is encoded or hidden: that is why `strings` or a search for "-----BEGIN" finds them in a dump.
 *
 * A compiled firmware reaches its constants through addresses the linker resolved; the emulated
 * firmware is not compiled, so a small directory (magic "CNST", count, then per constant the
 * addresses of its name and value, the value's length and kind) stands in for the linker. It
 * reveals nothing a dump does not already show: the values are in clear either way.
 */
const DIRECTORY_MAGIC = 0x54534e43; // "CNST" in memory order
const ENTRY = 16;

export type ConstantValue = string | Uint8Array;

export interface FirmwareConstant {
  readonly name: string;
  readonly kind: 'string' | 'bytes';
  /** The bytes as stored, without a C string's NUL terminator. */
  readonly value: Uint8Array;
  /** Address the firmware sees (in the DROM window, 0x3F4xxxxx). */
  readonly address: number;
  /** Where the bytes sit in the flash image: what a dump shows at that offset. */
  readonly flashOffset: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * The rodata area that follows esp_app_desc_t in a DROM segment loaded at `segmentAddress`: the
 * directory, then names and values. Addresses count the 256-byte description before it.
 */
export function layoutRodata(
  constants: Readonly<Record<string, ConstantValue>>,
  segmentAddress: number,
): Uint8Array {
  const entries = Object.entries(constants);
  const chunks: Uint8Array[] = [];
  let at = APP_DESC_LENGTH + 8 + ENTRY * entries.length;
  const directory = new Uint8Array(8 + ENTRY * entries.length);
  const view = new DataView(directory.buffer);
  view.setUint32(0, DIRECTORY_MAGIC, true);
  view.setUint32(4, entries.length, true);
  const place = (bytes: Uint8Array): number => {
    const address = segmentAddress + at;
    const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
    padded.set(bytes);
    chunks.push(padded);
    at += padded.length;
    return address;
  };
  entries.forEach(([name, value], i) => {
    if (!NAME.test(name))
      throw new LabError('ERR_OPTIONS_INVALID', `firmware constant name "${name}" is not a C identifier`);
    const isString = typeof value === 'string';
    const bytes = isString ? Buffer.from(value, 'utf8') : value;
    if (isString && bytes.includes(0)) {
      throw new LabError('ERR_OPTIONS_INVALID', `firmware constant ${name}: a C string cannot contain NUL`);
    }
    const nameAddress = place(Buffer.from(`${name}\0`, 'latin1'));
    const valueAddress = place(isString ? Buffer.concat([bytes, Buffer.of(0)]) : bytes);
    view.setUint32(8 + ENTRY * i, nameAddress, true);
    view.setUint32(12 + ENTRY * i, valueAddress, true);
    view.setUint32(16 + ENTRY * i, bytes.length, true);
    view.setUint32(20 + ENTRY * i, isString ? 0 : 1, true);
  });
  return new Uint8Array(Buffer.concat([directory, ...chunks]));
}

/** The constants of a DROM segment whose data starts with esp_app_desc_t; null without a directory. */
export function readRodata(segment: ImageSegment, part = 'app'): FirmwareConstant[] | null {
  const data = segment.data;
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  if (data.length < APP_DESC_LENGTH + 8 || view.getUint32(APP_DESC_LENGTH, true) !== DIRECTORY_MAGIC)
    return null;
  const count = view.getUint32(APP_DESC_LENGTH + 4, true);
  if (APP_DESC_LENGTH + 8 + count * ENTRY > data.length) {
    throw malformed(part, `constant directory of ${count} entries overruns the DROM segment`);
  }
  const slice = (address: number, length: number, what: string): Uint8Array => {
    const from = address - segment.loadAddress;
    if (from < 0 || from + length > data.length) {
      throw malformed(part, `${what} at ${hex(address)} (+${length}) is outside the DROM segment`);
    }
    return data.subarray(from, from + length);
  };
  const out: FirmwareConstant[] = [];
  for (let i = 0; i < count; i++) {
    const at = APP_DESC_LENGTH + 8 + ENTRY * i;
    const nameAddress = view.getUint32(at, true);
    const address = view.getUint32(at + 4, true);
    const length = view.getUint32(at + 8, true);
    const kind = view.getUint32(at + 12, true) === 0 ? 'string' : 'bytes';
    const nameFrom = nameAddress - segment.loadAddress;
    slice(nameAddress, 1, `name of constant ${i}`);
    const end = data.indexOf(0, nameFrom);
    if (end < 0) throw malformed(part, `name of constant ${i} has no NUL terminator`);
    const name = Buffer.from(data.subarray(nameFrom, end)).toString('latin1');
    const value = slice(address, length + (kind === 'string' ? 1 : 0), `value of ${name}`).subarray(
      0,
      length,
    );
    const flashOffset = segment.dataOffset + (address - segment.loadAddress);
    out.push({ name, kind, value, address, flashOffset });
  }
  return out;
}

/** Back to what the builder was given: C strings as text, arrays as bytes. */
export function constantsRecord(constants: readonly FirmwareConstant[]): Record<string, ConstantValue> {
  return Object.fromEntries(
    constants.map((c) => [
      c.name,
      c.kind === 'string' ? Buffer.from(c.value).toString('utf8') : new Uint8Array(c.value),
    ]),
  );
}
