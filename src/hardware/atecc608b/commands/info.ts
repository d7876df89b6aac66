import { CONFIG, keyConfigOf, KEY_TYPE } from '../config.js';
import { privateKeyIn } from '../keys.js';
import { OPCODE } from '../packet.js';
import { executionError, keyIdOf, ok, parseError, type Command } from './context.js';

/** Info mode 0 answer of an ATECC608B (reference §3.7: `00 00 60 03`). */
export const REVISION: Uint8Array = Uint8Array.of(0x00, 0x00, 0x60, 0x03);

const MODE = { REVISION: 0x00, KEY_VALID: 0x01, STATE: 0x02, GPIO: 0x03, VOL_KEY_PERMIT: 0x04 } as const;

/**
 * Info (0x30): mode 0 revision, 1 KeyValid, 2 State, 4 VolatileKeyPermit latch
 * (CryptoAuthLib INFO_MODE_*). Every answer is 4 bytes.
 */
export const info: Command = {
  opcode: OPCODE.INFO,
  name: 'Info',
  maxMs: 5,
  typicalMs: 1,
  run(packet, ctx) {
    if (packet.data.length !== 0) return parseError;
    switch (packet.param1) {
      case MODE.REVISION:
        return ok(REVISION.slice());
      case MODE.KEY_VALID: {
        const slot = keyIdOf(packet.param2);
        if (slot === null) return parseError;
        const key = keyConfigOf(ctx.eeprom.config, slot);
        const valid = key.private && key.keyType === KEY_TYPE.P256 && privateKeyIn(ctx.eeprom, slot) !== null;
        return ok(Uint8Array.of(valid ? 1 : 0, 0, 0, 0));
      }
      case MODE.STATE: {
        // The two state bytes of the ATECC508A/608A datasheets: TempKey.KeyId (3:0),
        // SourceFlag (4), GenDigData (5), GenKeyData (6), NoMacFlag (7), AuthValid (10),
        // AuthKey (14:11), TempKey.Valid (15). The exact bit order is not confirmed.
        const t = ctx.sram.tempKey;
        const word =
          (t.keyId & 0x0f) |
          (t.sourceFlag === 'input' ? 0x10 : 0) |
          (t.genDigData ? 0x20 : 0) |
          (t.genKeyData ? 0x40 : 0) |
          (t.noMacFlag ? 0x80 : 0) |
          (ctx.sram.authValid ? 0x400 : 0) |
          (t.valid ? 0x8000 : 0);
        return ok(Uint8Array.of(word & 0xff, word >> 8, 0, 0));
      }
      case MODE.VOL_KEY_PERMIT: {
        // ATECC608B: VolatileKeyPermission bit 7 enables the latch (config byte 69).
        if ((ctx.eeprom.config[CONFIG.VOLATILE_KEY_PERMISSION]! & 0x80) === 0) return executionError;
        // param2 bit 1 = set the latch to bit 0 (CryptoAuthLib INFO_PARAM2_SET_LATCH_STATE).
        if (packet.param2 & 0x0002) ctx.sram.volatileKeyPermit = (packet.param2 & 0x0001) === 1;
        else if (packet.param2 !== 0) return parseError;
        return ok(Uint8Array.of(ctx.sram.volatileKeyPermit ? 1 : 0, 0, 0, 0));
      }
      case MODE.GPIO:
        // The GPIO function belongs to the single-wire package; an I2C part has none.
        return executionError;
      default:
        return parseError;
    }
  },
};
