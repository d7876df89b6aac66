import { FLASH_SECTOR } from './format.js';
import type { Partition } from './partition-table.js';

/**
 * The otadata partition (esp_flash_partitions.h): two sectors, each starting with an
 * esp_ota_select_entry_t { u32 ota_seq; u8 seq_label[20]; u32 ota_state; u32 crc } where
 * crc = esp_rom_crc32_le(UINT32_MAX, &ota_seq, 4). The bootloader boots OTA slot
 * (ota_seq − 1) mod (number of OTA apps) of the valid entry with the highest ota_seq; with no
 * valid entry it boots the factory app, or the first OTA slot when there is none.
 */
export const OTA_STATES = Object.freeze({
  new: 0x0,
  pendingVerify: 0x1,
  valid: 0x2,
  invalid: 0x3,
  aborted: 0x4,
  undefined: 0xffffffff,
});

export interface OtaSelectEntry {
  readonly sector: number;
  readonly seq: number;
  readonly state: number;
  readonly crc: number;
  readonly valid: boolean;
}

export interface OtaData {
  readonly entries: readonly OtaSelectEntry[];
  /** The label of the app partition the bootloader will start. */
  readonly bootPartition: string | null;
}

/**
 * What Arduino-ESP32 flashes at the otadata offset (boot_app0.bin): ota_seq 1, state undefined,
 * in the first sector; the second sector erased. It selects ota_0 (app0).
 */
export function encodeOtaData(size: number, seq = 1): Uint8Array {
  const out = new Uint8Array(size).fill(0xff);
  const view = new DataView(out.buffer);
  view.setUint32(0, seq, true);
  view.setUint32(24, OTA_STATES.undefined, true);
  view.setUint32(28, otaSelectCrc(seq), true);
  return out;
}

export function readOtaData(flash: Uint8Array, otadata: Partition, apps: readonly Partition[]): OtaData {
  const view = new DataView(flash.buffer, flash.byteOffset, flash.length);
  const entries: OtaSelectEntry[] = [];
  for (let sector = 0; sector < 2 && (sector + 1) * FLASH_SECTOR <= otadata.size; sector++) {
    const at = otadata.offset + sector * FLASH_SECTOR;
    if (at + 32 > flash.length) break;
    const seq = view.getUint32(at, true);
    const state = view.getUint32(at + 24, true);
    const crc = view.getUint32(at + 28, true);
    // bootloader_common_ota_select_valid: not erased, not invalid/aborted, CRC right.
    const valid =
      seq !== 0xffffffff &&
      state !== OTA_STATES.invalid &&
      state !== OTA_STATES.aborted &&
      crc === otaSelectCrc(seq);
    entries.push({ sector, seq, state, crc, valid });
  }
  const ota = apps.filter((p) => p.subtype >= 0x10 && p.subtype < 0x20).sort((a, b) => a.subtype - b.subtype);
  const best = entries.filter((e) => e.valid).sort((a, b) => b.seq - a.seq)[0];
  const boot =
    best && ota.length > 0
      ? ota[(best.seq - 1) % ota.length]
      : (apps.find((p) => p.subtype === 0x00) ?? ota[0] ?? apps[0]);
  return { entries, bootPartition: boot?.label ?? null };
}

/** esp_rom_crc32_le(UINT32_MAX, ota_seq as 4 LE bytes): zlib's crc32 continued from 0xFFFFFFFF. */
export function otaSelectCrc(seq: number): number {
  const bytes = [seq & 0xff, (seq >>> 8) & 0xff, (seq >>> 16) & 0xff, (seq >>> 24) & 0xff];
  let crc = ~0xffffffff >>> 0; // the ROM function inverts its argument on entry…
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return ~crc >>> 0; // …and the result on exit
}
