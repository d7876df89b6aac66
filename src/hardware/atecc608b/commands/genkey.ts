import { privateKeyIn, storePrivateKey } from '../keys.js';
import { publicKeyOf, randomScalar } from '../p256.js';
import { OPCODE, STATUS } from '../packet.js';
import * as policy from '../policy.js';
import { keyIdOf, keyUse, ok, parseError, refused, type Command } from './context.js';

const MODE = { PUBLIC: 0x00, PRIVATE: 0x04 } as const;

/**
 * GenKey (0x40). Mode 0x04 generates a new P-256 private key in the slot and returns its
 * public key; mode 0x00 recomputes the public key of the key already there. The answer is X‖Y,
 * 64 bytes big-endian. Optional 3 bytes of OtherData (used by the digest modes) are accepted.
 * The digest modes (0x08, 0x10) and key generation into TempKey (KeyID 0xFFFF) are not emulated.
 */
export const genKey: Command = {
  opcode: OPCODE.GENKEY,
  name: 'GenKey',
  maxMs: 115,
  typicalMs: 60,
  run(packet, ctx) {
    const slot = keyIdOf(packet.param2);
    if (slot === null || (packet.data.length !== 0 && packet.data.length !== 3)) return parseError;
    const { eeprom } = ctx;
    if (packet.param1 === MODE.PRIVATE) {
      const no = refused(policy.genKeyCreate(eeprom.config, slot)) ?? refused(keyUse(ctx, slot));
      if (no) return no;
      const d = randomScalar(ctx.rng);
      storePrivateKey(eeprom, slot, d);
      return ok(publicKeyOf(d));
    }
    if (packet.param1 === MODE.PUBLIC) {
      const no = refused(policy.genKeyPublic(eeprom.config, slot)) ?? refused(keyUse(ctx, slot));
      if (no) return no;
      const d = privateKeyIn(eeprom, slot);
      // A slot whose content is not a valid scalar (never generated) makes the ECC computation fail.
      return d ? ok(publicKeyOf(d)) : { status: STATUS.ECC_FAULT };
    }
    return parseError;
  },
};
