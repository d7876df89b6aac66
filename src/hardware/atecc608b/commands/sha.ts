import { createHash } from 'node:crypto';
import { OPCODE } from '../packet.js';
import { done, executionError, ok, parseError, type Command } from './context.js';

const MODE = { START: 0x00, UPDATE: 0x01, END: 0x02 } as const;
const TARGET_MASK = 0xc0;
const TARGET = { TEMPKEY: 0x00, MSGDIGBUF: 0x40, RESERVED: 0x80, OUTPUT_ONLY: 0xc0 } as const;

/**
 * SHA (0x47): SHA-256 of a message sent in pieces. Start (mode 0) opens the context; update
 * (1) adds exactly 64 bytes; end (2) adds the last 0–63 bytes (param2 = their length) and
 * returns the digest, also placed in TempKey or the Message Digest Buffer per param1 bits 7:6
 * (0xC0 = output only). param2 of update is 64. The public-key, HMAC and context read/write
 * modes are not emulated.
 */
export const sha: Command = {
  opcode: OPCODE.SHA,
  name: 'SHA',
  maxMs: 36,
  typicalMs: 5,
  run(packet, ctx) {
    const { sram } = ctx;
    const mode = packet.param1 & ~TARGET_MASK;
    const target = packet.param1 & TARGET_MASK;
    if (target === TARGET.RESERVED) return parseError;
    const data = packet.data;
    switch (mode) {
      case MODE.START:
        if (data.length !== 0) return parseError;
        sram.sha = createHash('sha256');
        return done;
      case MODE.UPDATE:
        if (data.length !== 64 || packet.param2 !== 64) return parseError;
        if (!sram.sha) return executionError;
        sram.sha.update(data);
        return done;
      case MODE.END: {
        if (data.length > 63 || packet.param2 !== data.length) return parseError;
        if (!sram.sha) return executionError;
        const digest = new Uint8Array(sram.sha.update(data).digest());
        sram.sha = null;
        if (target === TARGET.TEMPKEY) sram.loadTempKey(digest, 'input');
        else if (target === TARGET.MSGDIGBUF) sram.loadMsgDigBuf(digest);
        return ok(digest);
      }
      default:
        return parseError;
    }
  },
};
