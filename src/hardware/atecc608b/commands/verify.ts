import { keyConfigOf, KEY_TYPE } from '../config.js';
import { storedPublicKeyIn } from '../keys.js';
import { isOnCurve, verifyDigest } from '../p256.js';
import { OPCODE, STATUS } from '../packet.js';
import { done, executionError, keyIdOf, parseError, type Command } from './context.js';

const MODE = { STORED: 0x00, EXTERNAL: 0x02 } as const;
const SOURCE_MSGDIGBUF = 0x20;
/** param2 of external mode: the key type, P-256 (CryptoAuthLib VERIFY_KEY_P256). */
const KEY_P256 = 0x0004;

/**
 * Verify (0x45) a P-256 signature R‖S over the 32-byte digest in TempKey (or the Message Digest
 * Buffer, param1 bit 5). External mode (0x02): param2 = 0x0004 and the public key X‖Y follows
 * the signature (count 135). Stored mode (0x00): the public key is in slot param2 (a P-256
 * public key, KeyConfig.Private = 0). Answer 0x00 on match, 0x01 on miscompare. The validate /
 * invalidate modes and the MAC output (bit 7) are not emulated.
 */
export const verify: Command = {
  opcode: OPCODE.VERIFY,
  name: 'Verify',
  maxMs: 105,
  typicalMs: 50,
  run(packet, ctx) {
    const mode = packet.param1 & ~SOURCE_MSGDIGBUF;
    const { eeprom, sram } = ctx;
    let publicKey: Uint8Array;
    if (mode === MODE.EXTERNAL) {
      if (packet.param2 !== KEY_P256 || packet.data.length !== 128) return parseError;
      publicKey = packet.data.subarray(64, 128);
    } else if (mode === MODE.STORED) {
      const slot = keyIdOf(packet.param2);
      if (slot === null || packet.data.length !== 64) return parseError;
      const key = keyConfigOf(eeprom.config, slot);
      // ATECC608B: KeyConfig.Private / KeyType — the slot must hold a P-256 public key.
      if (key.private || key.keyType !== KEY_TYPE.P256) return executionError;
      // ATECC608B: KeyConfig.PubInfo — a validated public key needs Verify(validate), not emulated.
      if (key.pubInfo) return executionError;
      const stored = storedPublicKeyIn(eeprom, slot);
      if (!stored) return executionError;
      publicKey = stored;
    } else return parseError;
    const source = packet.param1 & SOURCE_MSGDIGBUF ? sram.msgDigBuf : sram.tempKey;
    if (!source.valid) return executionError;
    if (!isOnCurve(publicKey)) return executionError;
    const good = verifyDigest(publicKey, source.value.subarray(0, 32), packet.data.subarray(0, 64));
    return good ? done : { status: STATUS.MISCOMPARE };
  },
};
