import { privateKeyIn } from '../keys.js';
import { signDigest } from '../p256.js';
import { OPCODE, STATUS } from '../packet.js';
import * as policy from '../policy.js';
import { executionError, keyIdOf, keyUse, ok, parseError, refused, type Command } from './context.js';

const EXTERNAL = 0x80;
const SOURCE_MSGDIGBUF = 0x20;

/**
 * Sign (0x41) with the P-256 key in slot param2. External mode (param1 bit 7): the message is
 * the 32-byte digest the host loaded with a pass-through Nonce, from TempKey (0x80) or from the
 * Message Digest Buffer (0xA0, what CryptoAuthLib's `calib_sign` uses on the 608). The answer
 * is R‖S, 64 bytes big-endian. KeyConfig.ReqRandom does not block external Sign: the standard
 * TNGTLS path is a fixed Nonce followed by Sign (reference §2.5).
 */
export const sign: Command = {
  opcode: OPCODE.SIGN,
  name: 'Sign',
  maxMs: 115,
  typicalMs: 60,
  run(packet, ctx) {
    // Bits 1–4 are 0 (CryptoAuthLib SIGN_MODE_MASK 0xE1); bit 0 (invalidate) is internal-only.
    const mode = packet.param1;
    const slot = keyIdOf(packet.param2);
    if (mode & 0x1e || slot === null || packet.data.length !== 0) return parseError;
    const external = (mode & EXTERNAL) !== 0;
    if (external && mode & 0x01) return parseError;
    const { eeprom, sram } = ctx;
    const no = refused(policy.sign(eeprom.config, slot, external)) ?? refused(keyUse(ctx, slot));
    if (no) return no;
    // An internal message is built from a TempKey that GenDig or GenKey produced; neither is
    // emulated, so that TempKey never exists and internal Sign ends here.
    if (!external) return executionError;
    const source = mode & SOURCE_MSGDIGBUF ? sram.msgDigBuf : sram.tempKey;
    if (!source.valid) return executionError;
    const d = privateKeyIn(eeprom, slot);
    if (!d) return { status: STATUS.ECC_FAULT };
    return ok(signDigest(d, source.value.subarray(0, 32), ctx.rng.bytes(32)));
  },
};
