import { createHash } from 'node:crypto';
import { LabError } from '../../core/errors.js';
import {
  CHECKSUM_SEED,
  CHIP_ID_ESP32,
  FLASH_SIZES_MIB,
  hex,
  IMAGE_HEADER_LENGTH,
  IMAGE_MAGIC,
  malformed,
  MAX_SEGMENTS,
  MMU_PAGE,
  regionOf,
  SEGMENT_HEADER_LENGTH,
  SPI_FREQUENCIES,
  SPI_MODES,
  type SpiMode,
  WP_PIN_DISABLED,
} from './format.js';

/** esp_image_header_t (24 bytes): the 8-byte ROM header and the 16-byte extended header. */
export interface ImageHeader {
  readonly segmentCount: number;
  /** Null when the byte is not one of esp_image_spi_mode_t (the bootloader only warns). */
  readonly spiMode: SpiMode | null;
  readonly spiFrequencyMhz: number | null;
  readonly flashSizeMib: number | null;
  readonly entryAddress: number;
  readonly wpPin: number;
  readonly spiPinDrv: readonly [number, number, number];
  readonly chipId: number;
  readonly minChipRev: number;
  readonly minChipRevFull: number;
  readonly maxChipRevFull: number;
  readonly hashAppended: boolean;
}

export interface ImageSegment {
  readonly index: number;
  readonly loadAddress: number;
  readonly length: number;
  /** Absolute flash offset of the segment's data (after its 8-byte header). */
  readonly dataOffset: number;
  /** MEMORY_REGIONS name, or 'padding' for a not-loaded segment. */
  readonly region: string;
  readonly data: Uint8Array;
}

export interface DigestCheck<T> {
  readonly stored: T;
  readonly computed: T;
  readonly ok: boolean;
}

export interface AppImage {
  /** Flash offset of the header. */
  readonly offset: number;
  /** Bytes from the header through the checksum (and the SHA-256 when appended). */
  readonly length: number;
  readonly header: ImageHeader;
  readonly segments: readonly ImageSegment[];
  readonly checksum: DigestCheck<number>;
  /** SHA-256 over the image up to and including the checksum byte; null unless hash_appended. */
  readonly sha256: DigestCheck<string> | null;
}

export interface AppImageSpec {
  readonly spiMode: SpiMode;
  readonly spiFrequencyMhz: number;
  readonly flashSizeMib: number;
  readonly entryAddress: number;
  readonly hashAppended: boolean;
  readonly segments: readonly { readonly loadAddress: number; readonly data: Uint8Array }[];
}

/**
 * Serialise an image as esptool's elf2image does: header, segments (data padded to 4 bytes),
 * zero padding so the checksum byte ends a 16-byte block, then the optional SHA-256.
 * `flashOffset` is where it will be written: mapped segments must keep their data at the same
 * offset within a 64 KiB page as their load address (esp_image_format.c, verify_segment_header).
 */
export function encodeAppImage(spec: AppImageSpec, flashOffset: number): Uint8Array {
  if (spec.segments.length === 0 || spec.segments.length > MAX_SEGMENTS) {
    throw new LabError(
      'ERR_OPTIONS_INVALID',
      `app image: ${spec.segments.length} segments (1–${MAX_SEGMENTS})`,
    );
  }
  const chunks: Uint8Array[] = [header(spec)];
  let at = IMAGE_HEADER_LENGTH;
  let checksum = CHECKSUM_SEED;
  for (const seg of spec.segments) {
    const data = new Uint8Array(Math.ceil(seg.data.length / 4) * 4);
    data.set(seg.data);
    const region = regionOf(seg.loadAddress);
    const dataOffset = flashOffset + at + SEGMENT_HEADER_LENGTH;
    if (
      region === null ||
      (region !== 'padding' && region.mapped && dataOffset % MMU_PAGE !== seg.loadAddress % MMU_PAGE)
    ) {
      throw new LabError(
        'ERR_OPTIONS_INVALID',
        `app image: segment at ${hex(seg.loadAddress)} cannot sit at flash ${hex(dataOffset)}`,
      );
    }
    const sh = new Uint8Array(SEGMENT_HEADER_LENGTH);
    new DataView(sh.buffer).setUint32(0, seg.loadAddress, true);
    new DataView(sh.buffer).setUint32(4, data.length, true);
    chunks.push(sh, data);
    at += SEGMENT_HEADER_LENGTH + data.length;
    for (const b of data) checksum ^= b;
  }
  const padded = at + (15 - (at % 16)); // the checksum is the last byte of a 16-byte block
  chunks.push(new Uint8Array(padded - at), Uint8Array.of(checksum));
  const body = Buffer.concat(chunks);
  if (spec.hashAppended) chunks.push(createHash('sha256').update(body).digest());
  return new Uint8Array(Buffer.concat(chunks)); // a plain array of its own, not a pooled Buffer
}

function header(spec: AppImageSpec): Uint8Array {
  const h = new Uint8Array(IMAGE_HEADER_LENGTH);
  const view = new DataView(h.buffer);
  const speed = SPI_FREQUENCIES[spec.spiFrequencyMhz];
  const size = (FLASH_SIZES_MIB as readonly number[]).indexOf(spec.flashSizeMib);
  if (speed === undefined || size < 0) {
    throw new LabError(
      'ERR_OPTIONS_INVALID',
      `app image: ${spec.spiFrequencyMhz} MHz / ${spec.flashSizeMib} MiB`,
    );
  }
  h[0] = IMAGE_MAGIC;
  h[1] = spec.segments.length;
  h[2] = SPI_MODES.indexOf(spec.spiMode);
  h[3] = (size << 4) | speed; // spi_speed in the low nibble, spi_size in the high nibble
  view.setUint32(4, spec.entryAddress, true);
  h[8] = WP_PIN_DISABLED;
  // spi_pin_drv 0 (defaults); chip_id ESP32; min_chip_rev, min/max_chip_rev_full 0: not set,
  // so any chip revision boots it.
  view.setUint16(12, CHIP_ID_ESP32, true);
  h[23] = spec.hashAppended ? 1 : 0;
  return h;
}

/**
 * Walk an image at `offset` the way the bootloader's esp_image_verify does. Structural problems
 * (magic, segment count or length, overrun of `limit`, a load address outside the ESP32's memory,
 * a mapped segment off its MMU page offset) are errors; with `strict` (default) so are a wrong
 * chip id, checksum or SHA-256, otherwise they are reported in the result.
 */
export function readAppImage(
  flash: Uint8Array,
  offset: number,
  options: { limit?: number; strict?: boolean; part?: string } = {},
): AppImage {
  const part = options.part ?? `image at ${hex(offset)}`;
  const limit = Math.min(options.limit ?? flash.length, flash.length);
  const strict = options.strict ?? true;
  const view = new DataView(flash.buffer, flash.byteOffset, flash.length);
  const need = (end: number, what: string) => {
    if (end > limit)
      throw malformed(part, `${what} overruns the partition (ends ${hex(end)}, limit ${hex(limit)})`, {
        offset,
      });
  };
  need(offset + IMAGE_HEADER_LENGTH, 'the image header');
  if (flash[offset] !== IMAGE_MAGIC) {
    throw malformed(part, `bad magic ${hex(flash[offset]!, 2)} (expected 0xe9; erased flash reads 0xff)`, {
      offset,
    });
  }
  const h = readHeader(flash, view, offset);
  if (h.segmentCount === 0 || h.segmentCount > MAX_SEGMENTS) {
    throw malformed(part, `segment count ${h.segmentCount} is not 1–${MAX_SEGMENTS}`, { offset });
  }
  if (h.chipId !== CHIP_ID_ESP32 && strict)
    throw malformed(part, `chip id ${h.chipId} is not an ESP32's (0)`, { offset });
  const segments: ImageSegment[] = [];
  let at = offset + IMAGE_HEADER_LENGTH;
  let checksum = CHECKSUM_SEED;
  for (let index = 0; index < h.segmentCount; index++) {
    need(at + SEGMENT_HEADER_LENGTH, `segment ${index} header`);
    const loadAddress = view.getUint32(at, true);
    const length = view.getUint32(at + 4, true);
    const dataOffset = at + SEGMENT_HEADER_LENGTH;
    if (length % 4 !== 0 || length >= 16 * 1024 * 1024) {
      throw malformed(part, `segment ${index} length ${hex(length)} is invalid`, { offset: at });
    }
    need(dataOffset + length, `segment ${index}`);
    const region = regionOf(loadAddress);
    if (region === null) {
      throw malformed(part, `segment ${index} loads to ${hex(loadAddress)}, in no ESP32 memory region`, {
        offset: at,
      });
    }
    if (region !== 'padding' && region.mapped && dataOffset % MMU_PAGE !== loadAddress % MMU_PAGE) {
      throw malformed(
        part,
        `segment ${index} load address ${hex(loadAddress)} does not match data ${hex(dataOffset)}`,
        {
          offset: at,
        },
      );
    }
    const data = flash.subarray(dataOffset, dataOffset + length);
    for (const b of data) checksum ^= b;
    segments.push({
      index,
      loadAddress,
      length,
      dataOffset,
      region: region === 'padding' ? region : region.name,
      data,
    });
    at = dataOffset + length;
  }
  const checksumAt = at + (15 - ((at - offset) % 16));
  need(checksumAt + 1, 'the checksum');
  const check: DigestCheck<number> = {
    stored: flash[checksumAt]!,
    computed: checksum,
    ok: flash[checksumAt] === checksum,
  };
  if (!check.ok && strict) {
    throw malformed(
      part,
      `checksum mismatch (stored ${hex(check.stored, 2)}, computed ${hex(checksum, 2)})`,
      { offset },
    );
  }
  let end = checksumAt + 1;
  let sha256: DigestCheck<string> | null = null;
  if (h.hashAppended) {
    need(end + 32, 'the appended SHA-256');
    const computed = createHash('sha256').update(flash.subarray(offset, end)).digest('hex');
    const stored = Buffer.from(flash.subarray(end, end + 32)).toString('hex');
    sha256 = { stored, computed, ok: stored === computed };
    if (!sha256.ok && strict)
      throw malformed(part, 'SHA-256 mismatch: the image is corrupt', { offset, stored, computed });
    end += 32;
  }
  return { offset, length: end - offset, header: h, segments, checksum: check, sha256 };
}

function readHeader(flash: Uint8Array, view: DataView, offset: number): ImageHeader {
  const mode = flash[offset + 2]!;
  const speedSize = flash[offset + 3]!;
  const speedCode = speedSize & 0x0f;
  const mhz = Object.entries(SPI_FREQUENCIES).find(([, code]) => code === speedCode)?.[0];
  return {
    segmentCount: flash[offset + 1]!,
    spiMode: SPI_MODES[mode] ?? null,
    spiFrequencyMhz: mhz === undefined ? null : Number(mhz),
    flashSizeMib: FLASH_SIZES_MIB[speedSize >> 4] ?? null,
    entryAddress: view.getUint32(offset + 4, true),
    wpPin: flash[offset + 8]!,
    spiPinDrv: [flash[offset + 9]!, flash[offset + 10]!, flash[offset + 11]!],
    chipId: view.getUint16(offset + 12, true),
    minChipRev: flash[offset + 14]!,
    minChipRevFull: view.getUint16(offset + 15, true),
    maxChipRevFull: view.getUint16(offset + 17, true),
    hashAppended: flash[offset + 23] === 1,
  };
}
