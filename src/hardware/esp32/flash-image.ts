import { createHash } from 'node:crypto';
import { parseOptions, z } from '../../core/options.js';
import { type AppDescription, decodeAppDesc, encodeAppDesc } from './app-desc.js';
import { type AppImage, type AppImageSpec, encodeAppImage, readAppImage } from './app-image.js';
import { bootloaderSpec, nopCode } from './bootloader.js';
import {
  BOOTLOADER_OFFSET,
  DROM_BASE,
  FLASH_SIZES_MIB,
  hex,
  IMAGE_HEADER_LENGTH,
  IROM_BASE,
  malformed,
  MIB,
  MMU_PAGE,
  PARTITION_TABLE_OFFSET,
  SEGMENT_HEADER_LENGTH,
  tooLarge,
} from './format.js';
import { encodeOtaData, type OtaData, readOtaData } from './otadata.js';
import {
  ARDUINO_DEFAULT_PARTITIONS,
  encodePartitionTable,
  type Partition,
  type PartitionTable,
  readPartitionTable,
  resolvePartitions,
} from './partition-table.js';
import {
  type ConstantValue,
  constantsRecord,
  type FirmwareConstant,
  layoutRodata,
  readRodata,
} from './rodata.js';

const partitionSchema = z.strictObject({
  label: z.string(),
  type: z.union([z.string(), z.number().int()]),
  subtype: z.union([z.string(), z.number().int()]),
  offset: z.number().int().nonnegative(),
  size: z.number().int().positive(),
  flags: z.number().int().min(0).max(0xffffffff).optional(),
});

const schema = z.strictObject({
  /** The firmware's constants: C strings (PEM certificates and keys, SSID, broker host…) or byte arrays. */
  constants: z.record(z.string(), z.union([z.string(), z.instanceof(Uint8Array)])),
  flashSize: z
    .number()
    .refine((n) => (FLASH_SIZES_MIB as readonly number[]).includes(n / MIB), 'expected 1, 2, 4, 8 or 16 MiB')
    .default(4 * MIB),
  /** A partitions.csv as rows; default: Arduino-ESP32's "default" scheme. */
  partitions: z.array(partitionSchema).optional(),
  app: z
    .strictObject({
      projectName: z.string().default('m5go-env-publisher'),
      version: z.string().default('1.0.0'),
      idfVersion: z.string().default('v4.4.7'),
      date: z.string().default('Jan  1 2026'),
      time: z.string().default('00:00:00'),
      secureVersion: z.number().int().min(0).max(0xffffffff).default(0),
    })
    .prefault({}),
  spiMode: z.enum(['qio', 'qout', 'dio', 'dout']).default('dio'),
  spiFrequencyMhz: z.union([z.literal(20), z.literal(26), z.literal(40), z.literal(80)]).default(40),
  /** Bytes of (placeholder) flash-resident code in the IROM segment. */
  codeSize: z.number().int().min(4).max(0x100000).multipleOf(4).default(0x2000),
});
export type FlashImageOptions = z.input<typeof schema>;

/** The application in the boot partition, as a reader of the dump sees it. */
export interface FirmwareImage extends AppImage {
  readonly partition: Partition;
  readonly description: AppDescription | null;
  readonly constants: readonly FirmwareConstant[];
}

export interface FlashImageView {
  readonly flashSize: number;
  readonly bootloader: AppImage;
  readonly partitionTable: PartitionTable;
  readonly otaData: OtaData | null;
  readonly app: FirmwareImage;
}

/**
 * A complete flash image as `esptool.py read_flash 0 0x400000` would dump it from an M5Go:
 * bootloader at 0x1000, partition table at 0x8000, otadata selecting app0, the firmware in app0,
 * everything else erased (0xFF). Returns plain bytes: write them to a .bin.
 */
export function buildFlashImage(options: FlashImageOptions): Uint8Array {
  const o = parseOptions(schema, options, 'buildFlashImage');
  const flashSizeMib = o.flashSize / MIB;
  const flashParams = { spiMode: o.spiMode, spiFrequencyMhz: o.spiFrequencyMhz, flashSizeMib };
  const parts = resolvePartitions(o.partitions ?? ARDUINO_DEFAULT_PARTITIONS, o.flashSize);
  const flash = new Uint8Array(o.flashSize).fill(0xff);

  const bootloader = encodeAppImage(bootloaderSpec(flashParams), BOOTLOADER_OFFSET);
  if (BOOTLOADER_OFFSET + bootloader.length > PARTITION_TABLE_OFFSET) {
    throw tooLarge('bootloader', `${bootloader.length} bytes do not fit below the partition table`);
  }
  flash.set(bootloader, BOOTLOADER_OFFSET);
  flash.set(encodePartitionTable(parts), PARTITION_TABLE_OFFSET);

  const otadata = parts.find((p) => p.type === 1 && p.subtype === 0);
  if (otadata) flash.set(encodeOtaData(otadata.size), otadata.offset);
  const target = bootTarget(parts, otadata !== undefined);
  const app = encodeAppImage(appSpec(o, flashParams, target.offset), target.offset);
  if (app.length > target.size) {
    throw tooLarge(
      `app partition ${target.label}`,
      `the ${app.length}-byte firmware exceeds the ${hex(target.size)}-byte partition`,
      {
        length: app.length,
        size: target.size,
      },
    );
  }
  flash.set(app, target.offset);
  return flash;
}

/** With otadata, boot_app0 selects ota_0; without, the bootloader starts factory or the first app. */
function bootTarget(parts: readonly Partition[], hasOtadata: boolean): Partition {
  const apps = parts.filter((p) => p.type === 0);
  const ota0 = apps
    .filter((p) => p.subtype >= 0x10 && p.subtype < 0x20)
    .sort((a, b) => a.subtype - b.subtype)[0];
  const target = hasOtadata && ota0 ? ota0 : (apps.find((p) => p.subtype === 0) ?? ota0 ?? apps[0]);
  if (!target) throw malformed('partition table', 'no app partition to hold the firmware');
  return target;
}

/**
 * Segments in the order an ESP-IDF link produces: DROM (esp_app_desc_t, then rodata), DRAM
 * (.data: the `const char *` globals pointing into rodata), IRAM (vectors and code), IROM (flash
 * code). Mapped segments take the load address whose offset in a 64 KiB page equals their flash
 * offset's, which is the bootloader's MMU rule.
 */
function appSpec(
  o: Readonly<z.infer<typeof schema>>,
  flashParams: Pick<AppImageSpec, 'spiMode' | 'spiFrequencyMhz' | 'flashSizeMib'>,
  partitionOffset: number,
): AppImageSpec {
  let dataAt = partitionOffset + IMAGE_HEADER_LENGTH + SEGMENT_HEADER_LENGTH;
  const dromAddress = DROM_BASE + (dataAt % MMU_PAGE);
  const constants = o.constants as Readonly<Record<string, ConstantValue>>;
  const rodata = layoutRodata(constants, dromAddress);
  const globals = pointerTable(rodata);
  const iram = nopCode(0x800);
  const irom = nopCode(o.codeSize);
  // No ELF exists for an emulated build: the hash of the segments' contents stands in for it.
  const elfStandIn = createHash('sha256')
    .update(rodata)
    .update(globals)
    .update(iram)
    .update(irom)
    .digest('hex');
  const drom = Buffer.concat([encodeAppDesc({ ...o.app, appElfSha256: elfStandIn }), rodata]);
  dataAt += drom.length + SEGMENT_HEADER_LENGTH + globals.length + SEGMENT_HEADER_LENGTH;
  dataAt += iram.length + SEGMENT_HEADER_LENGTH;
  return {
    ...flashParams,
    entryAddress: 0x4008_0400, // after the 1 KiB vector table at the start of IRAM
    hashAppended: true,
    segments: [
      { loadAddress: dromAddress, data: drom },
      { loadAddress: 0x3ffb_0000, data: globals },
      { loadAddress: 0x4008_0000, data: iram },
      { loadAddress: IROM_BASE + (dataAt % MMU_PAGE), data: irom },
    ],
  };
}

/** `.data`: one 32-bit pointer per constant, as `const char *ssid = "…";` globals compile to. */
function pointerTable(rodata: Uint8Array): Uint8Array {
  const view = new DataView(rodata.buffer, rodata.byteOffset, rodata.length);
  const count = view.getUint32(4, true); // after the directory's magic word
  const out = new Uint8Array(Math.max(4, 4 * count));
  const outView = new DataView(out.buffer);
  for (let i = 0; i < count; i++) outView.setUint32(4 * i, view.getUint32(8 + 16 * i + 4, true), true);
  return out;
}

/**
 * Read a dump back: flash size, bootloader image, partition table (MD5), otadata, and the app in
 * the partition the bootloader would boot, with its description and constants. Structural
 * problems throw ERR_ESP32_IMAGE_MALFORMED; with `strict: false` digest mismatches (MD5,
 * checksum, SHA-256) are reported in the result instead, as a forensic reader wants.
 */
export function parseFlashImage(bytes: Uint8Array, options: { strict?: boolean } = {}): FlashImageView {
  const strict = options.strict ?? true;
  if (!(FLASH_SIZES_MIB as readonly number[]).includes(bytes.length / MIB)) {
    throw malformed('flash', `${bytes.length} bytes is not a 1, 2, 4, 8 or 16 MiB flash dump`, {
      length: bytes.length,
    });
  }
  const bootloader = readAppImage(bytes, BOOTLOADER_OFFSET, {
    limit: PARTITION_TABLE_OFFSET,
    part: 'bootloader',
    strict,
  });
  const partitionTable = readPartitionTable(bytes, PARTITION_TABLE_OFFSET, { strict });
  for (const p of partitionTable.partitions) {
    if (p.offset + p.size > bytes.length) {
      throw malformed(
        'partition table',
        `${p.label} (${hex(p.offset)} + ${hex(p.size)}) overruns the flash`,
        {
          label: p.label,
        },
      );
    }
  }
  const apps = partitionTable.partitions.filter((p) => p.type === 0);
  if (apps.length === 0) throw malformed('partition table', 'no app partition');
  const otadataPart = partitionTable.partitions.find((p) => p.type === 1 && p.subtype === 0);
  const otaData = otadataPart ? readOtaData(bytes, otadataPart, apps) : null;
  const partition = apps.find((p) => p.label === otaData?.bootPartition) ?? bootTarget(apps, false);
  const image = readAppImage(bytes, partition.offset, {
    limit: partition.offset + partition.size,
    part: `app partition ${partition.label}`,
    strict,
  });
  const drom = image.segments.find((s) => s.region === 'DROM');
  return {
    flashSize: bytes.length,
    bootloader,
    partitionTable,
    otaData,
    app: {
      ...image,
      partition,
      description: drom ? decodeAppDesc(drom.data) : null,
      constants: (drom && readRodata(drom, `app partition ${partition.label}`)) ?? [],
    },
  };
}

/** The constants the firmware was built with, by name: the inverse of `buildFlashImage`'s input. */
export function listConstants(view: FlashImageView): Record<string, ConstantValue> {
  return constantsRecord(view.app.constants);
}
