import type { AppImageSpec } from './app-image.js';
import type { SpiMode } from './format.js';

/** Xtensa NOP.N (0xF03D, little-endian): the filler of placeholder code. */
export function nopCode(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i + 1 < length; i += 2) out.set([0x3d, 0xf0], i);
  return out;
}

/**
 * The second-stage bootloader at 0x1000: a placeholder with the memory layout of an ESP-IDF 4.4
 * bootloader for the ESP32 — data at 0x3FFF0030, the loader in cache RAM at 0x40078000 (free
 * while the cache is off) and code at 0x40080400 — so the ROM's checks (magic, segments,
 * checksum, SHA-256) pass. The code is filler: booting is emulated by the device layer.
 */
export function bootloaderSpec(flash: {
  spiMode: SpiMode;
  spiFrequencyMhz: number;
  flashSizeMib: number;
}): AppImageSpec {
  const banner = Buffer.from('mqtts-lab second-stage bootloader (emulated)\0', 'latin1');
  return {
    ...flash,
    entryAddress: 0x4008_0400,
    hashAppended: true,
    segments: [
      { loadAddress: 0x3fff_0030, data: banner },
      { loadAddress: 0x4007_8000, data: nopCode(0x400) },
      { loadAddress: 0x4008_0400, data: nopCode(0x200) },
    ],
  };
}
