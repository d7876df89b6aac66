import { OPCODE } from '../packet.js';
import { COUNTER_MAX } from '../zones.js';
import { executionError, ok, parseError, type Command } from './context.js';

/**
 * Counter (0x24): read (mode 0) or increment (mode 1) monotonic counter 0 or 1 (param2); the
 * answer is the value, 4 bytes little-endian. Counters start at 0 and stop at 2,097,151
 * (reference §1.2: the config-zone encoding of the counters is not confirmed, so the value is
 * kept as an integer beside the EEPROM and the config bytes 52–67 are left as manufactured).
 */
export const counter: Command = {
  opcode: OPCODE.COUNTER,
  name: 'Counter',
  maxMs: 25,
  typicalMs: 10,
  run(packet, ctx) {
    // CryptoAuthLib COUNTER_MODE_MASK 0x01; counter id 0 or 1.
    if (packet.param1 > 1 || packet.param2 > 1 || packet.data.length !== 0) return parseError;
    const id = packet.param2 as 0 | 1;
    const counters = ctx.eeprom.counters;
    if (packet.param1 === 1) {
      if (counters[id] >= COUNTER_MAX) return executionError;
      counters[id] += 1;
    }
    const value = counters[id];
    return ok(Uint8Array.of(value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >>> 24));
  },
};
