import { createHash } from 'node:crypto';
import { OPCODE } from '../packet.js';
import { done, ok, parseError, rngOutput, type Command } from './context.js';

const MODE_MASK = 0x03;
const PASS_THROUGH = 0x03;
const INPUT_64 = 0x20;
const TARGET_MASK = 0xc0;
const TARGET = { TEMPKEY: 0x00, MSGDIGBUF: 0x40, ALTKEYBUF: 0x80 } as const;
/** NumIn of the random modes (CryptoAuthLib NONCE_NUMIN_SIZE). */
const NUMIN_SIZE = 20;

/**
 * Nonce (0x16). Random modes (param1 0 with seed update, 1 without): the part draws 32 random
 * bytes RandOut, returns them, and sets TempKey = SHA-256(RandOut ‖ NumIn ‖ 0x16 ‖ mode ‖ 0x00)
 * with SourceFlag = random (CryptoAuthLib `atcah_nonce`). Pass-through (param1 bits 1:0 = 11):
 * the 32 bytes (64 with bit 5) go to TempKey, the Message Digest Buffer (bits 7:6 = 01) or the
 * Alternate Key Buffer (10); TempKey then has SourceFlag = input.
 */
export const nonce: Command = {
  opcode: OPCODE.NONCE,
  name: 'Nonce',
  maxMs: 20,
  typicalMs: 5,
  run(packet, ctx) {
    const mode = packet.param1 & MODE_MASK;
    const tempKey = ctx.sram.tempKey;
    // param2 0x8000 (TempKey "calculation" mode) is not emulated; other values are not defined.
    if (packet.param2 !== 0) return parseError;
    if (mode === 0x00 || mode === 0x01) {
      // Targets and the 64-byte flag belong to pass-through only (NONCE_MODE_MASK 0x03).
      if (packet.param1 & ~MODE_MASK || packet.data.length !== NUMIN_SIZE) return parseError;
      const randOut = rngOutput(ctx);
      const digest = createHash('sha256')
        .update(randOut)
        .update(packet.data)
        .update(Uint8Array.of(OPCODE.NONCE, packet.param1, 0x00))
        .digest();
      ctx.sram.loadTempKey(digest, 'random');
      return ok(randOut);
    }
    if (mode !== PASS_THROUGH || packet.param1 & 0x1c) return parseError;
    const size = packet.param1 & INPUT_64 ? 64 : 32;
    if (packet.data.length !== size) return parseError;
    switch (packet.param1 & TARGET_MASK) {
      case TARGET.TEMPKEY:
        ctx.sram.loadTempKey(packet.data, 'input');
        return done;
      case TARGET.MSGDIGBUF:
        ctx.sram.loadMsgDigBuf(packet.data);
        // CryptoAuthLib's host model clears TempKey.Valid when another buffer is the target.
        tempKey.valid = false;
        return done;
      case TARGET.ALTKEYBUF:
        if (size !== 32) return parseError;
        ctx.sram.altKeyBuf.value.set(packet.data);
        ctx.sram.altKeyBuf.valid = true;
        tempKey.valid = false;
        return done;
      default:
        return parseError;
    }
  },
};
