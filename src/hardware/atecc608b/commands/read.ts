import { OPCODE } from '../packet.js';
import * as policy from '../policy.js';
import { locate } from '../zones.js';
import { ok, parseError, refused, type Command } from './context.js';

/**
 * Read (0x02): 4 or 32 bytes (param1 bit 7) from the config, OTP or data zone at the address
 * in param2. The config zone can always be read; OTP and slots per the policy.
 */
export const read: Command = {
  opcode: OPCODE.READ,
  name: 'Read',
  maxMs: 5,
  typicalMs: 1,
  run(packet, ctx) {
    // param1 bits 2–6 must be 0 (CryptoAuthLib READ_ZONE_MASK 0x83).
    if (packet.param1 & ~0x83 || packet.data.length !== 0) return parseError;
    const size = packet.param1 & 0x80 ? 32 : 4;
    const where = locate(packet.param1 & 0x03, packet.param2, size);
    if (!where) return parseError;
    const { eeprom } = ctx;
    if (where.zone === 'config') return ok(eeprom.config.slice(where.offset, where.offset + size));
    if (where.zone === 'otp') {
      const no = refused(policy.readOtp(eeprom.config));
      return no ?? ok(eeprom.otp.slice(where.offset, where.offset + size));
    }
    const slot = where.slot!;
    const no = refused(policy.readData(eeprom.config, slot, size));
    if (no) return no;
    // A 32-byte read of a slot's partial last block returns the bytes it has, then zeros.
    const out = new Uint8Array(size);
    out.set(eeprom.slot(slot).subarray(where.offset, where.offset + where.span));
    return ok(out);
  },
};
