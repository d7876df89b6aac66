import { CONFIG } from '../config.js';
import { OPCODE } from '../packet.js';
import { done, executionError, parseError, type Command } from './context.js';

/**
 * UpdateExtra (0x20): write config byte 84 (UserExtra, mode 0) or 85 (UserExtraAdd, mode 1)
 * once — the command fails when the byte is already non-zero (CryptoAuthLib
 * `calib_write_config_zone`: "This may fail if either value is already non-zero"). A new
 * UserExtraAdd becomes the I2C address after the next sleep when ChipMode bit 0 is set.
 * Mode 2 (decrement a limited-use counter) is not emulated.
 */
export const updateExtra: Command = {
  opcode: OPCODE.UPDATE_EXTRA,
  name: 'UpdateExtra',
  maxMs: 10,
  typicalMs: 5,
  run(packet, ctx) {
    if (packet.param1 > 1 || packet.param2 > 0xff || packet.data.length !== 0) return parseError;
    const offset = packet.param1 === 0 ? CONFIG.USER_EXTRA : CONFIG.USER_EXTRA_ADD;
    const config = ctx.eeprom.config;
    if (config[offset] !== 0) return executionError;
    config[offset] = packet.param2;
    return done;
  },
};
