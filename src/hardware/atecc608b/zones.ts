import { LabError } from '../../core/errors.js';

/** EEPROM geometry (reference §1.1): config 128 B, OTP 64 B, 16 data slots of 1,208 B in all. */
export const CONFIG_SIZE = 128;
export const OTP_SIZE = 64;
export const SLOT_COUNT = 16;
export const BLOCK_SIZE = 32;
export const WORD_SIZE = 4;

/** Slots 0–7 hold 36 bytes, slot 8 holds 416, slots 9–15 hold 72. */
export function slotSize(slot: number): number {
  return slot < 8 ? 36 : slot === 8 ? 416 : 72;
}

const SLOT_OFFSETS: readonly number[] = Array.from({ length: SLOT_COUNT + 1 }, (_, slot) => {
  let offset = 0;
  for (let s = 0; s < slot; s++) offset += slotSize(s);
  return offset;
});

export function slotOffset(slot: number): number {
  return SLOT_OFFSETS[slot]!;
}

export const DATA_SIZE = SLOT_OFFSETS[SLOT_COUNT]!;

/** Reject a slot number given through the API (not over I2C, where it is a status byte). */
export function assertSlot(slot: number): void {
  if (!Number.isInteger(slot) || slot < 0 || slot >= SLOT_COUNT)
    throw new LabError('ERR_SE_SLOT_INVALID', `slot ${String(slot)} does not exist (0–15)`, {
      details: { slot },
    });
}

/** Counters count up to 2,097,151 (CryptoAuthLib COUNTER_MAX_VALUE). */
export const COUNTER_MAX = 2_097_151;

/** The non-volatile state of a part: the three EEPROM zones and the two monotonic counters. */
export class Eeprom {
  readonly config = new Uint8Array(CONFIG_SIZE);
  readonly otp = new Uint8Array(OTP_SIZE);
  readonly data = new Uint8Array(DATA_SIZE);
  readonly counters: [number, number] = [0, 0];

  /** The live bytes of a slot (a view: writes go to the data zone). */
  slot(slot: number): Uint8Array {
    return this.data.subarray(slotOffset(slot), slotOffset(slot) + slotSize(slot));
  }

  clone(): Eeprom {
    const copy = new Eeprom();
    copy.config.set(this.config);
    copy.otp.set(this.otp);
    copy.data.set(this.data);
    copy.counters[0] = this.counters[0];
    copy.counters[1] = this.counters[1];
    return copy;
  }
}

export type ZoneName = 'config' | 'otp' | 'data';

/** Zone codes in param1 bits 1:0 of Read and Write (CryptoAuthLib ATCA_ZONE_*). */
export const ZONE_CODE = { config: 0, otp: 1, data: 2 } as const;

/** Where a Read or Write lands. `offset` is within the zone (config, OTP) or within the slot. */
export interface Location {
  readonly zone: ZoneName;
  readonly slot: number | null;
  readonly offset: number;
  /** 4 or 32: the size of the access. */
  readonly size: 4 | 32;
  /** Bytes of the access inside the zone or slot (less than `size` on a slot's partial last block). */
  readonly span: number;
}

/**
 * Decode param2 of Read/Write (reference §1.4). Config: Addr[4:3] block, Addr[2:0] word, the
 * other bits unused (CryptoAuthLib ATCA_ADDRESS_MASK_CONFIG 0x001F); OTP: Addr[3] block,
 * Addr[2:0] word (ATCA_ADDRESS_MASK_OTP 0x000F); data: Addr[6:3] slot, Addr[2:0] word and the
 * block from bit 8 up (`calib_get_addr`). A 32-byte access ignores the word bits (CryptoAuthLib's
 * write_invalid_block_len test writes 32 bytes at word 1 and expects success). A 32-byte
 * access to a slot's partial last block is valid and only the bytes inside the slot count
 * (same test; `calib_write_pubkey` writes a 72-byte slot as three 32-byte blocks).
 * Returns null for an address outside the zone or slot.
 */
export function locate(zoneCode: number, address: number, size: 4 | 32): Location | null {
  if (zoneCode === ZONE_CODE.config || zoneCode === ZONE_CODE.otp) {
    const zone: ZoneName = zoneCode === ZONE_CODE.config ? 'config' : 'otp';
    const a = address & (zone === 'config' ? 0x1f : 0x0f);
    const offset = (a >> 3) * BLOCK_SIZE + (size === 32 ? 0 : (a & 7) * WORD_SIZE);
    return { zone, slot: null, offset, size, span: size };
  }
  if (zoneCode !== ZONE_CODE.data) return null;
  const slot = (address >> 3) & 0x0f;
  const block = address >> 8;
  const offset = block * BLOCK_SIZE + (size === 32 ? 0 : (address & 7) * WORD_SIZE);
  const room = slotSize(slot) - offset;
  if (room <= 0) return null;
  return { zone: 'data', slot, offset, size, span: Math.min(size, room) };
}

/** param2 of a data-zone access: `(slot << 3) | (block << 8) | word` (CryptoAuthLib `calib_get_addr`). */
export function dataAddress(slot: number, block: number, word = 0): number {
  return ((slot & 0x0f) << 3) | (block << 8) | (word & 7);
}

/** param2 of a config- or OTP-zone access: `(block << 3) | word`. */
export function zoneAddress(block: number, word = 0): number {
  return (block << 3) | (word & 7);
}
