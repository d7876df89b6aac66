import { OPCODE } from '../packet.js';
import * as policy from '../policy.js';
import { locate } from '../zones.js';
import { done, executionError, parseError, refused, type Command } from './context.js';

/**
 * Write (0x12): 4 or 32 clear-text bytes (param1 bit 7) to the config, OTP or data zone; with
 * param1 bit 6 the data is encrypted and a 32-byte MAC follows. Every refusal comes from the
 * lock bytes and SlotConfig.WriteConfig / KeyConfig (policy.ts).
 */
export const write: Command = {
  opcode: OPCODE.WRITE,
  name: 'Write',
  maxMs: 45,
  typicalMs: 20,
  run(packet, ctx) {
    // param1 bits 2–5 must be 0 (CryptoAuthLib WRITE_ZONE_MASK 0xC3).
    if (packet.param1 & ~0xc3) return parseError;
    const size = packet.param1 & 0x80 ? 32 : 4;
    const encrypted = (packet.param1 & 0x40) !== 0;
    if (packet.data.length !== size + (encrypted ? 32 : 0)) return parseError;
    const where = locate(packet.param1 & 0x03, packet.param2, size);
    if (!where) return parseError;
    const { eeprom } = ctx;
    const value = packet.data.subarray(0, size);
    // Encrypted writes exist for slots only (the MAC covers a slot address).
    if (where.zone === 'config') {
      const no = refused(policy.writeConfig(eeprom.config, where.offset, size));
      if (no || encrypted) return no ?? executionError;
      eeprom.config.set(value, where.offset);
      return done;
    }
    if (where.zone === 'otp') {
      const no = refused(policy.writeOtp(eeprom.config, size));
      if (no || encrypted) return no ?? executionError;
      eeprom.otp.set(value, where.offset);
      return done;
    }
    const slot = where.slot!;
    const no = refused(policy.writeData(eeprom.config, slot, size, encrypted));
    if (no) return no;
    // Only the bytes inside the slot are stored; a partial last block drops the rest.
    eeprom.slot(slot).set(value.subarray(0, where.span), where.offset);
    return done;
  },
};
