/**
 * The ATECC608B secure element, emulated: an I2C target that speaks the real command protocol,
 * with the TNGTLS (Trust&GO) configuration or a blank part, saved as an image file.
 */
export { Atecc608b, type CreateOptions, type LoadOptions, type LockState, type SlotInfo } from './part.js';
export type { DeviceState } from './device.js';
export { TIMING_MODES, type TimingMode } from './timing.js';
export { PROFILES, TNGTLS_CONFIG, BLANK_CONFIG, type ProfileName } from './profiles.js';
export { IMAGE_SIZE, IMAGE_VERSION } from './image.js';
export { REVISION } from './commands/info.js';
export { crc16, crc16Le } from './crc.js';
export {
  decodeResponse,
  encodeCommand,
  OPCODE,
  STATUS,
  WAKE_RESPONSE,
  WORD_ADDRESS,
  type DecodedResponse,
  type StatusCode,
} from './packet.js';
export { dataAddress, slotSize, SLOT_COUNT, zoneAddress, ZONE_CODE } from './zones.js';
export { CONFIG, decodeKeyConfig, decodeSlotConfig, type KeyConfig, type SlotConfig } from './config.js';
export type { Decision } from './policy.js';
