/** Device firmware on emulated hardware: drivers, boot sequence, publisher and subscriber. */
export { bootDevice, type DeviceOptions, type RunningDevice } from './device.js';
export { Board, BMP280_ADDRESS, SHT30_ADDRESS } from './firmware/board.js';
export { type ConsoleLine, SerialConsole } from './firmware/console.js';
export {
  buildFirmwareFlash,
  type FirmwareSettings,
  type KeySource,
  readFirmwareFlash,
  type Role,
} from './firmware/flash.js';
export { type LinkStats, MqttLink } from './firmware/link.js';
export { DeviceRam } from './firmware/ram.js';
export type { DeviceTlsVersion } from './firmware/tls.js';
export { Atecc608Driver, ATECC_TNGTLS_ADDRESS, type ConfigSnapshot } from './drivers/atecc608.js';
export { p256PublicKeyInfo, secureElementSigner } from './drivers/atecc608-signer.js';
export {
  decodeSlotKey,
  encodeSlotKey,
  provisionPart,
  SLOT8_BLOCKS,
  SLOT8_BYTES,
  type SlotKey,
  writeSlotKey,
} from './keys/index.js';
export { Publisher, type PublisherState } from './apps/publisher.js';
export { type ReadingStatus, Subscriber, type SubscriberState } from './apps/subscriber.js';
export { encodeReading, parseReading, type Reading } from './apps/reading.js';
export {
  decodeSig,
  ecdsaDerToRaw,
  READING_SIGNATURE_CONTEXT,
  readingSignedBytes,
  signReading,
} from './apps/reading-signature.js';
export {
  type FlagReason,
  ReadingVerifier,
  type ReadingVerifierOptions,
  type SignatureVerdict,
} from './apps/reading-verifier.js';
export { SequenceTracker } from './apps/reading-sequence.js';
