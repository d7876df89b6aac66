import { createHash } from 'node:crypto';
import { chipOptionsOf, slotConfigOf } from '../config.js';
import { privateKeyIn } from '../keys.js';
import { ecdhSharedX } from '../p256.js';
import { OPCODE, STATUS } from '../packet.js';
import * as policy from '../policy.js';
import { done, executionError, keyIdOf, keyUse, ok, parseError, refused, type Command } from './context.js';

/** param1 fields (CryptoAuthLib ECDH_MODE_*). */
const SOURCE_TEMPKEY = 0x01;
const OUTPUT_ENCRYPTED = 0x02;
const COPY_MASK = 0x0c;
const COPY = { COMPATIBLE: 0x00, EEPROM_SLOT: 0x04, TEMPKEY: 0x08, OUTPUT: 0x0c } as const;

/**
 * ECDH (0x43): the x coordinate of d·Q for the P-256 key in slot param2 and the public key
 * X‖Y in the data. Where the result goes follows param1 bits 3:2:
 * - 0x0C output buffer: 32 bytes in clear, or (bit 1) encrypted with the IO protection key and
 *   followed by the 32-byte output nonce — 64 bytes;
 * - 0x08 TempKey: status only;
 * - 0x00 the 508-compatible mode: SlotConfig.ReadKey bit 3 sends it to slot n|1, otherwise it
 *   is output as in 0x0C.
 * ChipOptions.ECDHProt decides whether it may be output at all. Copy to an EEPROM slot (0x04)
 * and a private key in TempKey (bit 0) are not emulated.
 */
export const ecdh: Command = {
  opcode: OPCODE.ECDH,
  name: 'ECDH',
  maxMs: 75,
  typicalMs: 40,
  run(packet, ctx) {
    const mode = packet.param1;
    const slot = keyIdOf(packet.param2);
    const copy = mode & COPY_MASK;
    if (mode & 0xf0 || mode & SOURCE_TEMPKEY || copy === COPY.EEPROM_SLOT) return parseError;
    if (slot === null || packet.data.length !== 64) return parseError;
    const { eeprom, sram } = ctx;
    const no = refused(policy.ecdh(eeprom.config, slot)) ?? refused(keyUse(ctx, slot));
    if (no) return no;
    const encrypted = (mode & OUTPUT_ENCRYPTED) !== 0;
    const toSlot = copy === COPY.COMPATIBLE && slotConfigOf(eeprom.config, slot).ecdhToSlot;
    if (copy === COPY.OUTPUT || (copy === COPY.COMPATIBLE && !toSlot)) {
      const out = refused(policy.ecdhOutput(eeprom.config, encrypted));
      if (out) return out;
    }
    // The ReadKey bit 3 target is the odd slot of an even/odd pair.
    if (toSlot && slot % 2 === 1) return executionError;
    const d = privateKeyIn(eeprom, slot);
    if (!d) return { status: STATUS.ECC_FAULT };
    const shared = ecdhSharedX(d, packet.data);
    if (!shared) return executionError;
    if (copy === COPY.TEMPKEY) {
      sram.loadTempKey(shared, 'input', slot);
      return done;
    }
    if (toSlot) {
      eeprom.slot(slot | 1).set(shared);
      return done;
    }
    if (!encrypted) return ok(shared);
    return ok(
      encryptForIo(ctx.eeprom.slot(chipOptionsOf(eeprom.config).ioProtectionKeySlot), shared, ctx.rng),
    );
  },
};

/**
 * IO-protection encryption of a 32-byte result: result XOR SHA-256(IOKey ‖ OutNonce[0:16]),
 * followed by the 32-byte OutNonce (inverse of CryptoAuthLib `atcah_io_decrypt`).
 */
function encryptForIo(
  ioSlot: Uint8Array,
  result: Uint8Array,
  rng: { bytes(n: number): Uint8Array },
): Uint8Array {
  const outNonce = rng.bytes(32);
  const key = createHash('sha256').update(ioSlot.subarray(0, 32)).update(outNonce.subarray(0, 16)).digest();
  const out = new Uint8Array(64);
  for (let i = 0; i < 32; i++) out[i] = result[i]! ^ key[i]!;
  out.set(outNonce, 32);
  return out;
}
