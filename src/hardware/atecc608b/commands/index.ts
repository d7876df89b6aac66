import { STATUS, type CommandPacket } from '../packet.js';
import { counter } from './counter.js';
import { ecdh } from './ecdh.js';
import { genKey } from './genkey.js';
import { info } from './info.js';
import { lock } from './lock.js';
import { nonce } from './nonce.js';
import { random } from './random.js';
import { read } from './read.js';
import { selfTest } from './selftest.js';
import { sha } from './sha.js';
import { sign } from './sign.js';
import { updateExtra } from './updateextra.js';
import { verify } from './verify.js';
import { write } from './write.js';
import type { Command, CommandContext, CommandResult } from './context.js';

export type { Command, CommandContext, CommandResult } from './context.js';

/** The dispatch table: one entry per emulated command, keyed by opcode. */
export const COMMANDS: ReadonlyMap<number, Command> = new Map(
  [
    counter,
    ecdh,
    genKey,
    info,
    lock,
    nonce,
    random,
    read,
    selfTest,
    sha,
    sign,
    updateExtra,
    verify,
    write,
  ].map((c) => [c.opcode, c]),
);

/**
 * Run one decoded command. An opcode the part does not know — or one whose command is not
 * emulated (CheckMac, DeriveKey, GenDig, MAC, PrivWrite, AES, KDF, SecureBoot) — is a parse error.
 */
export function execute(packet: CommandPacket, ctx: CommandContext): CommandResult {
  const command = COMMANDS.get(packet.opcode);
  if (!command) return { status: STATUS.PARSE_ERROR };
  return command.run(packet, ctx);
}
