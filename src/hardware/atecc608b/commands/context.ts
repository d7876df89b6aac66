import type { Rng } from '../../../core/rng.js';
import { isConfigLocked, keyConfigOf } from '../config.js';
import { STATUS, type CommandPacket } from '../packet.js';
import * as policy from '../policy.js';
import type { Decision } from '../policy.js';
import type { Sram } from '../sram.js';
import type { Eeprom } from '../zones.js';

/** What a command sees: the EEPROM, the volatile SRAM state and the part's randomness. */
export interface CommandContext {
  readonly eeprom: Eeprom;
  readonly sram: Sram;
  readonly rng: Rng;
}

/** A status-only group (`04 ss crc crc`) or a payload group (`count payload crc crc`). */
export type CommandResult = { readonly status: number } | { readonly payload: Uint8Array };

/** One entry of the dispatch table. */
export interface Command {
  readonly opcode: number;
  readonly name: string;
  /** Maximum execution time at clock divider M0 (CryptoAuthLib `device_execution_time_608_m0`). */
  readonly maxMs: number;
  /** Modelled typical time (the 608's typical figures are not published; see docs/secure-element.md). */
  readonly typicalMs: number;
  run(packet: CommandPacket, ctx: CommandContext): CommandResult;
}

export const ok = (payload: Uint8Array): CommandResult => ({ payload });
export const done: CommandResult = Object.freeze({ status: STATUS.SUCCESS });
export const parseError: CommandResult = Object.freeze({ status: STATUS.PARSE_ERROR });
export const executionError: CommandResult = Object.freeze({ status: STATUS.EXECUTION_ERROR });

/** A policy refusal is an execution error on the wire. */
export function refused(decision: Decision): CommandResult | null {
  return decision.allowed ? null : executionError;
}

/** param2 as a slot number (KeyID 0–15), or null (a parse error). */
export function keyIdOf(param2: number): number | null {
  return param2 <= 15 ? param2 : null;
}

/**
 * 32 bytes from the random number generator. Until the config zone is locked the RNG outputs
 * the fixed test pattern FF FF 00 00 … (CryptoAuthLib issues #85, #121: "the pattern the device
 * returns when you haven't configured it").
 */
export function rngOutput(ctx: CommandContext): Uint8Array {
  if (!isConfigLocked(ctx.eeprom.config)) {
    const pattern = new Uint8Array(32);
    for (let i = 0; i < 32; i += 4) pattern.set([0xff, 0xff, 0x00, 0x00], i);
    return pattern;
  }
  return ctx.rng.bytes(32);
}

/** The volatile conditions on using the slot's key (KeyConfig.ReqAuth, PersistentDisable). */
export function keyUse(ctx: CommandContext, slot: number): Decision {
  return policy.keyUse(keyConfigOf(ctx.eeprom.config, slot), ctx.sram);
}
