export { provisionPart, writeSlotKey } from './provision.js';
export { decodeSlotKey, encodeSlotKey, SLOT8_BLOCKS, SLOT8_BYTES, type SlotKey } from './slot-key.js';
