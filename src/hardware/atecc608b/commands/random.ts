import { OPCODE } from '../packet.js';
import { ok, parseError, rngOutput, type Command } from './context.js';

/**
 * Random (0x1B): 32 bytes. param1 0 = update the seed, 1 = don't (CryptoAuthLib RANDOM_*);
 * param2 is 0. Before the config zone is locked the answer is the fixed FF FF 00 00 pattern.
 */
export const random: Command = {
  opcode: OPCODE.RANDOM,
  name: 'Random',
  maxMs: 23,
  typicalMs: 10,
  run(packet, ctx) {
    if (packet.param1 > 1 || packet.param2 !== 0 || packet.data.length !== 0) return parseError;
    return ok(rngOutput(ctx));
  },
};
