export { type AppDescription, decodeAppDesc, encodeAppDesc } from './app-desc.js';
export {
  type AppImage,
  type AppImageSpec,
  type DigestCheck,
  encodeAppImage,
  type ImageHeader,
  type ImageSegment,
  readAppImage,
} from './app-image.js';
export {
  BOOTLOADER_OFFSET,
  MEMORY_REGIONS,
  type MemoryRegion,
  PARTITION_TABLE_OFFSET,
  SPI_MODES,
  type SpiMode,
} from './format.js';
export {
  buildFlashImage,
  type FirmwareImage,
  type FlashImageOptions,
  type FlashImageView,
  listConstants,
  parseFlashImage,
} from './flash-image.js';
export { type OtaData, type OtaSelectEntry, readOtaData } from './otadata.js';
export {
  ARDUINO_DEFAULT_PARTITIONS,
  encodePartitionTable,
  type Partition,
  type PartitionSpec,
  type PartitionTable,
  readPartitionTable,
  resolvePartitions,
} from './partition-table.js';
export { type ConstantValue, type FirmwareConstant } from './rodata.js';
