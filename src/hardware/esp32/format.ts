/**
 * Constants of the ESP32 flash formats as ESP-IDF defines them (esp_app_format.h,
 * esp_flash_partitions.h, soc/esp32/include/soc/soc.h, partition_table/gen_esp32part.py), and the
 * error helpers every reader in this folder shares.
 */
import { type ErrorCode, LabError } from '../../core/errors.js';

export const MIB = 1024 * 1024;
export const FLASH_SECTOR = 0x1000;
/** The ROM loads the second-stage bootloader from 0x1000 on the ESP32 (0x0 on later chips). */
export const BOOTLOADER_OFFSET = 0x1000;
/** CONFIG_PARTITION_TABLE_OFFSET default. */
export const PARTITION_TABLE_OFFSET = 0x8000;

// esp_app_format.h
export const IMAGE_MAGIC = 0xe9;
export const IMAGE_HEADER_LENGTH = 24;
export const SEGMENT_HEADER_LENGTH = 8;
export const MAX_SEGMENTS = 16;
/** ESP_ROM_CHECKSUM_INITIAL: the checksum is 0xEF XOR every segment data byte. */
export const CHECKSUM_SEED = 0xef;
export const CHIP_ID_ESP32 = 0x0000;
/** wp_pin value meaning "not used" (the IDF bootloader configures WP itself). */
export const WP_PIN_DISABLED = 0xee;
export const APP_DESC_MAGIC = 0xabcd5432;
/** Flash cache MMU page: mapped segments keep (load address − flash offset) a multiple of it. */
export const MMU_PAGE = 0x10000;

export const SPI_MODES = ['qio', 'qout', 'dio', 'dout', 'fast-read', 'slow-read'] as const;
export type SpiMode = (typeof SPI_MODES)[number];
/** esp_image_spi_freq_t for the ESP32 (80 MHz source): divisor codes 0, 1, 2 and 0xF. */
export const SPI_FREQUENCIES: Readonly<Record<number, number>> = Object.freeze({
  40: 0x0,
  26: 0x1,
  20: 0x2,
  80: 0xf,
});
export const FLASH_SIZES_MIB = [1, 2, 4, 8, 16] as const;

/** ESP32 address map (soc.h). `mapped` regions are served from flash through the cache MMU. */
export interface MemoryRegion {
  readonly name: string;
  readonly low: number;
  readonly high: number;
  readonly mapped: boolean;
}
export const MEMORY_REGIONS: readonly MemoryRegion[] = Object.freeze([
  { name: 'DROM', low: 0x3f40_0000, high: 0x3f80_0000, mapped: true },
  { name: 'RTC_DRAM', low: 0x3ff8_0000, high: 0x3ff8_2000, mapped: false },
  { name: 'DRAM', low: 0x3ffa_e000, high: 0x4000_0000, mapped: false },
  // 0x40070000–0x40080000 is cache RAM, which the second-stage bootloader runs from.
  { name: 'IRAM', low: 0x4007_0000, high: 0x400a_0000, mapped: false },
  { name: 'RTC_IRAM', low: 0x400c_0000, high: 0x400c_2000, mapped: false },
  { name: 'IROM', low: 0x400d_0000, high: 0x4040_0000, mapped: true },
  { name: 'RTC_DATA', low: 0x5000_0000, high: 0x5000_2000, mapped: false },
]);
export const DROM_BASE = 0x3f40_0000;
export const IROM_BASE = 0x400d_0000;

/**
 * Which region a segment loads to. Addresses below 0x10000000 are the IDF's "not loaded"
 * markers (0 for esptool's padding segments).
 */
export function regionOf(loadAddress: number): MemoryRegion | 'padding' | null {
  if (loadAddress < 0x1000_0000) return 'padding';
  return MEMORY_REGIONS.find((r) => loadAddress >= r.low && loadAddress < r.high) ?? null;
}

/** The one way readers in this folder report a structural problem: the code plus what and where. */
export function malformed(part: string, message: string, details: Record<string, unknown> = {}): LabError {
  return imageError('ERR_ESP32_IMAGE_MALFORMED', part, message, details);
}

export function tooLarge(part: string, message: string, details: Record<string, unknown> = {}): LabError {
  return imageError('ERR_ESP32_IMAGE_TOO_LARGE', part, message, details);
}

function imageError(
  code: ErrorCode,
  part: string,
  message: string,
  details: Record<string, unknown>,
): LabError {
  return new LabError(code, `${part}: ${message}`, { details: { part, ...details } });
}

export function hex(n: number, width = 0): string {
  return `0x${n.toString(16).padStart(width, '0')}`;
}
