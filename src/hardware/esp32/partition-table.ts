import { createHash } from 'node:crypto';
import { LabError } from '../../core/errors.js';
import { FLASH_SECTOR, hex, malformed, PARTITION_TABLE_OFFSET, tooLarge } from './format.js';

/**
 * ESP-IDF binary partition table (esp_flash_partitions.h, gen_esp32part.py): 32-byte
 * esp_partition_info_t entries — magic bytes AA 50 (ESP_PARTITION_MAGIC 0x50AA little-endian),
 * type, subtype, offset (u32 LE), size (u32 LE), label[16] NUL-padded, flags (u32 LE) — then an
 * MD5 entry (EB EB, 14 × FF, MD5 of the preceding entries), padded with FF to 0xC00 bytes
 * (the rest of the 4 KiB sector is left for a signature).
 */
export const PARTITION_TABLE_LENGTH = 0xc00;
const ENTRY = 32;
const MAGIC = [0xaa, 0x50] as const;
const MD5_MAGIC = [0xeb, 0xeb] as const;

export const PARTITION_TYPES: Readonly<Record<string, number>> = Object.freeze({ app: 0x00, data: 0x01 });
export const APP_SUBTYPES: Readonly<Record<string, number>> = Object.freeze({
  factory: 0x00,
  ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`ota_${i}`, 0x10 + i])),
  test: 0x20,
});
export const DATA_SUBTYPES: Readonly<Record<string, number>> = Object.freeze({
  ota: 0x00,
  phy: 0x01,
  nvs: 0x02,
  coredump: 0x03,
  nvs_keys: 0x04,
  efuse: 0x05,
  undefined: 0x06,
  esphttpd: 0x80,
  fat: 0x81,
  spiffs: 0x82,
  littlefs: 0x83,
});
/** flags bit 0: encrypted (CSV flag "encrypted"); bit 1: readonly (IDF ≥ 5.3). */
export const PARTITION_FLAGS = Object.freeze({ encrypted: 1 << 0, readonly: 1 << 1 });

/** A row of a partitions.csv. */
export interface PartitionSpec {
  readonly label: string;
  readonly type: string | number;
  readonly subtype: string | number;
  readonly offset: number;
  readonly size: number;
  readonly flags?: number;
}

export interface Partition {
  readonly label: string;
  readonly type: number;
  readonly subtype: number;
  /** 'app', 'data' or the number in hex for custom types. */
  readonly typeName: string;
  readonly subtypeName: string;
  readonly offset: number;
  readonly size: number;
  readonly flags: number;
}

export interface PartitionTable {
  readonly partitions: readonly Partition[];
  /** Null when the table has no MD5 entry (only accepted with `strict: false`). */
  readonly md5: { readonly stored: string; readonly computed: string; readonly ok: boolean } | null;
}

/**
 * The Arduino-ESP32 "default" scheme for 4 MB parts (tools/partitions/default.csv), what the
 * Arduino IDE and PlatformIO flash to an M5Go unless told otherwise:
 * - nvs      0x9000  20 KiB: WiFi calibration and credentials saved by the WiFi library;
 * - otadata  0xE000   8 KiB: two sectors that say which OTA slot boots (must be 0x2000);
 * - app0     0x10000 1.25 MiB: ota_0, the sketch (app partitions are 64 KiB aligned);
 * - app1     0x150000 1.25 MiB: ota_1, the other half of an OTA update;
 * - spiffs   0x290000 1.375 MiB: the sketch's file system;
 * - coredump 0x3F0000 64 KiB: where a crash dump lands; the table ends exactly at 4 MiB.
 * Everything from 0x9000 up: the bootloader sits at 0x1000 and the table at 0x8000.
 */
export const ARDUINO_DEFAULT_PARTITIONS: readonly PartitionSpec[] = Object.freeze([
  { label: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x5000 },
  { label: 'otadata', type: 'data', subtype: 'ota', offset: 0xe000, size: 0x2000 },
  { label: 'app0', type: 'app', subtype: 'ota_0', offset: 0x10000, size: 0x140000 },
  { label: 'app1', type: 'app', subtype: 'ota_1', offset: 0x150000, size: 0x140000 },
  { label: 'spiffs', type: 'data', subtype: 'spiffs', offset: 0x290000, size: 0x160000 },
  { label: 'coredump', type: 'data', subtype: 'coredump', offset: 0x3f0000, size: 0x10000 },
]);

/** Check a layout the way gen_esp32part.py does, and resolve names to numbers. */
export function resolvePartitions(specs: readonly PartitionSpec[], flashSize: number): Partition[] {
  const invalid = (msg: string) => new LabError('ERR_OPTIONS_INVALID', `partition table: ${msg}`);
  // Entries plus the MD5 entry must stay under 0xC00 bytes.
  if ((specs.length + 1) * ENTRY >= PARTITION_TABLE_LENGTH)
    throw invalid(`${specs.length} partitions do not fit`);
  const parts = specs.map((s) => {
    const type = typeof s.type === 'number' ? s.type : PARTITION_TYPES[s.type];
    if (type === undefined || type < 0 || type > 0xfe) throw invalid(`${s.label}: unknown type ${s.type}`);
    const names = type === 0 ? APP_SUBTYPES : type === 1 ? DATA_SUBTYPES : {};
    const subtype = typeof s.subtype === 'number' ? s.subtype : names[s.subtype];
    if (subtype === undefined || subtype < 0 || subtype > 0xfe)
      throw invalid(`${s.label}: unknown subtype ${s.subtype}`);
    if (Buffer.byteLength(s.label) > 16 || s.label.length === 0)
      throw invalid(`label "${s.label}" is not 1–16 bytes`);
    // Apps are mapped through the 64 KiB MMU pages; other partitions are erased by 4 KiB sectors.
    const align = type === 0 ? 0x10000 : FLASH_SECTOR;
    if (s.offset % align !== 0)
      throw invalid(`${s.label}: offset ${hex(s.offset)} is not aligned to ${hex(align)}`);
    if (!(s.size > 0) || s.size % FLASH_SECTOR !== 0)
      throw invalid(`${s.label}: size ${hex(s.size)} is not whole sectors`);
    return describe({ label: s.label, type, subtype, offset: s.offset, size: s.size, flags: s.flags ?? 0 });
  });
  checkLayout(parts, (msg) => invalid(msg));
  if (new Set(parts.map((p) => p.label)).size !== parts.length)
    throw invalid('partition labels must be unique');
  const otadata = parts.filter((p) => p.type === 1 && p.subtype === 0);
  if (otadata.length > 1 || otadata.some((p) => p.size !== 0x2000))
    throw invalid('one otadata of 0x2000 at most');
  for (const p of parts) {
    if (p.offset + p.size > flashSize) {
      throw tooLarge(
        'partition table',
        `${p.label} ends at ${hex(p.offset + p.size)}, past the ${flashSize / 0x100000} MiB flash`,
        {
          label: p.label,
        },
      );
    }
  }
  return parts;
}

export function encodePartitionTable(parts: readonly Partition[]): Uint8Array {
  const out = new Uint8Array(PARTITION_TABLE_LENGTH).fill(0xff);
  const view = new DataView(out.buffer);
  parts.forEach((p, i) => {
    const at = i * ENTRY;
    out.set(MAGIC, at);
    out[at + 2] = p.type;
    out[at + 3] = p.subtype;
    view.setUint32(at + 4, p.offset, true);
    view.setUint32(at + 8, p.size, true);
    out.fill(0, at + 12, at + 28);
    out.set(Buffer.from(p.label, 'utf8'), at + 12);
    view.setUint32(at + 28, p.flags, true);
  });
  const md5At = parts.length * ENTRY;
  out.set(MD5_MAGIC, md5At); // then 14 × 0xFF, already there
  out.set(createHash('md5').update(out.subarray(0, md5At)).digest(), md5At + 16);
  return out;
}

/**
 * Parse the table at `offset` the way the bootloader does (esp_partition_table_verify): entries
 * until the all-FF end marker, the MD5 entry checked against the entries before it. With
 * `strict` (default) a missing or wrong MD5 is an error, as in a bootloader built with the MD5
 * check on (the default); otherwise it is reported in `md5`.
 */
export function readPartitionTable(
  flash: Uint8Array,
  offset = PARTITION_TABLE_OFFSET,
  options: { strict?: boolean } = {},
): PartitionTable {
  const strict = options.strict ?? true;
  const where = 'partition table';
  if (offset + PARTITION_TABLE_LENGTH > flash.length) {
    throw malformed(where, `the table at ${hex(offset)} runs past the end of the ${flash.length}-byte input`);
  }
  const table = flash.subarray(offset, offset + PARTITION_TABLE_LENGTH);
  const view = new DataView(table.buffer, table.byteOffset, table.length);
  const parts: Partition[] = [];
  let md5: PartitionTable['md5'] = null;
  for (let at = 0; at < PARTITION_TABLE_LENGTH; at += ENTRY) {
    const entry = table.subarray(at, at + ENTRY);
    if (entry.every((b) => b === 0xff)) {
      if (md5 === null && strict)
        throw malformed(where, 'no MD5 entry before the end marker', { offset: offset + at });
      checkLayout(parts, (msg) => malformed(where, msg));
      return { partitions: parts, md5 };
    }
    if (md5 !== null)
      throw malformed(where, `entry ${at / ENTRY} follows the MD5 entry`, { offset: offset + at });
    if (entry[0] === MD5_MAGIC[0] && entry[1] === MD5_MAGIC[1]) {
      const computed = createHash('md5').update(table.subarray(0, at)).digest('hex');
      const stored = Buffer.from(entry.subarray(16)).toString('hex');
      md5 = { stored, computed, ok: stored === computed };
      if (!md5.ok && strict)
        throw malformed(where, `MD5 mismatch (stored ${stored}, computed ${computed})`, {
          offset: offset + at,
        });
      continue;
    }
    if (entry[0] !== MAGIC[0] || entry[1] !== MAGIC[1]) {
      throw malformed(where, `bad magic ${hex(entry[0]!, 2)} ${hex(entry[1]!, 2)} at entry ${at / ENTRY}`, {
        offset: offset + at,
      });
    }
    const label = Buffer.from(entry.subarray(12, 28)).toString('utf8').replace(/\0.*$/s, '');
    parts.push(
      describe({
        label,
        type: entry[2]!,
        subtype: entry[3]!,
        offset: view.getUint32(at + 4, true),
        size: view.getUint32(at + 8, true),
        flags: view.getUint32(at + 28, true),
      }),
    );
  }
  throw malformed(where, 'no end-of-table marker within 0xC00 bytes', { offset });
}

/** Partitions start after the table's sector and do not overlap. */
function checkLayout(parts: readonly Partition[], fail: (msg: string) => LabError): void {
  const sorted = [...parts].sort((a, b) => a.offset - b.offset);
  let end = PARTITION_TABLE_OFFSET + FLASH_SECTOR;
  for (const p of sorted) {
    if (p.offset < end) throw fail(`${p.label} at ${hex(p.offset)} overlaps what ends at ${hex(end)}`);
    end = p.offset + p.size;
  }
}

function describe(p: Omit<Partition, 'typeName' | 'subtypeName'>): Partition {
  const typeName = Object.keys(PARTITION_TYPES).find((k) => PARTITION_TYPES[k] === p.type) ?? hex(p.type, 2);
  const names = p.type === 0 ? APP_SUBTYPES : p.type === 1 ? DATA_SUBTYPES : {};
  const subtypeName = Object.keys(names).find((k) => names[k] === p.subtype) ?? hex(p.subtype, 2);
  return Object.freeze({ ...p, typeName, subtypeName });
}
