import { CONFIG, isConfigLocked, isDataLocked, keyConfigOf, LOCKED } from '../config.js';
import { crc16 } from '../crc.js';
import { OPCODE } from '../packet.js';
import * as policy from '../policy.js';
import { SLOT_COUNT, type Eeprom } from '../zones.js';
import { done, executionError, parseError, refused, type Command } from './context.js';

const ZONE = { CONFIG: 0b00, DATA: 0b01, SLOT: 0b10 } as const;
/** param1 bit 7: lock without checking the summary CRC (CryptoAuthLib LOCK_ZONE_NO_CRC). */
const NO_CRC = 0x80;

/**
 * Lock (0x17), irreversible (reference §3.8). param1 bits 1:0: 00 config zone, 01 data + OTP,
 * 10 one slot (number in bits 5:2); bit 6 must be 0; bit 7 skips the summary check. param2 is
 * the CRC-16 of what is locked, compared before anything changes.
 */
export const lock: Command = {
  opcode: OPCODE.LOCK,
  name: 'Lock',
  maxMs: 35,
  typicalMs: 20,
  run(packet, ctx) {
    const mode = packet.param1;
    // CryptoAuthLib LOCK_ZONE_MASK 0xBF: bit 6 is 0; zone 11 does not exist.
    if (mode & 0x40 || (mode & 0x03) === 0x03 || packet.data.length !== 0) return parseError;
    const { config } = ctx.eeprom;
    const summaryMatches = (crc: number): boolean => (mode & NO_CRC) !== 0 || crc === packet.param2;
    switch (mode & 0x03) {
      case ZONE.CONFIG:
        // Fails when already locked (CryptoAuthLib `calib_lock`).
        if (isConfigLocked(config)) return executionError;
        if (!summaryMatches(crc16(config))) return executionError;
        config[CONFIG.LOCK_CONFIG] = LOCKED;
        return done;
      case ZONE.DATA:
        // "ConfigZone must be locked and DataZone must be unlocked" (CryptoAuthLib `calib_lock_data_zone`).
        if (!isConfigLocked(config) || isDataLocked(config)) return executionError;
        if (!summaryMatches(crc16(dataSummary(ctx.eeprom)))) return executionError;
        config[CONFIG.LOCK_VALUE] = LOCKED;
        return done;
      default: {
        // Slot lock: the summary CRC is ignored; KeyConfig.Lockable decides (policy.lockSlot).
        const slot = (mode >> 2) & 0x0f;
        const no = refused(policy.lockSlot(config, slot));
        if (no) return no;
        const locked = (config[CONFIG.SLOT_LOCKED]! | (config[CONFIG.SLOT_LOCKED + 1]! << 8)) & ~(1 << slot);
        config[CONFIG.SLOT_LOCKED] = locked & 0xff;
        config[CONFIG.SLOT_LOCKED + 1] = locked >> 8;
        return done;
      }
    }
  },
};

/**
 * What the data-zone summary CRC covers: every slot in order except ECC private keys
 * (KeyConfig.Private), then the OTP zone (CryptoAuthLib `calib_lock_data_zone_crc`).
 */
export function dataSummary(eeprom: Eeprom): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let slot = 0; slot < SLOT_COUNT; slot++)
    if (!keyConfigOf(eeprom.config, slot).private) parts.push(eeprom.slot(slot));
  parts.push(eeprom.otp);
  return Uint8Array.from(Buffer.concat(parts));
}
