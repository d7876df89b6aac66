/**
 * A protocol decoder for what a logic analyser on Port A records: ATECC608B command packets
 * (word address 0x03) and the response groups read back after them, each with the indices of
 * the transactions it came from. Sans-IO over I2cTap records; it trusts nothing it decodes —
 * a response counts only when its count and CRC check out (datasheet §6.2).
 */
import { decodeResponse, OPCODE, slotSize, WORD_ADDRESS } from '../hardware/atecc608b/index.js';
import type { I2cTransaction } from '../hardware/i2c/index.js';

export interface AteccExchange {
  /** Index of the command write in the trace. */
  readonly index: number;
  readonly opcode: number;
  readonly name: string;
  readonly param1: number;
  readonly param2: number;
  readonly data: Uint8Array;
  /** Indices of the reads that carried the response group. */
  readonly responseIndices: readonly number[];
  /** The response payload, when a whole group with a valid CRC was read. */
  readonly payload: Uint8Array | undefined;
  /** The status byte of a 4-byte group (0x00 success, 0x0F execution error…). */
  readonly status: number | undefined;
}

const NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(OPCODE).map(([name, op]) => [op, name]),
);

/** Every command sent to `address` and its response, in trace order. */
export function decodeAteccTrace(records: readonly I2cTransaction[], address = 0x35): AteccExchange[] {
  const out: AteccExchange[] = [];
  let open:
    | {
        head: Omit<AteccExchange, 'responseIndices' | 'payload' | 'status'>;
        bytes: number[];
        reads: number[];
      }
    | undefined;
  const close = (): void => {
    if (open === undefined) return;
    const group = Uint8Array.from(open.bytes.slice(0, open.bytes[0] ?? 0));
    const decoded = group.length >= 4 ? decodeResponse(group) : undefined;
    const payload = decoded?.ok === true ? decoded.payload : undefined;
    out.push({
      ...open.head,
      responseIndices: open.reads,
      payload,
      status: payload !== undefined && group.length === 4 ? payload[0] : undefined,
    });
    open = undefined;
  };
  records.forEach((t, index) => {
    if (t.direction === 'write' && t.address === 0x00) return close(); // a wake: the exchange is over
    if (t.address !== address || !t.ack) return;
    if (t.direction === 'write') {
      if (t.bytes[0] !== WORD_ADDRESS.COMMAND) return close(); // idle/sleep/reset end the exchange
      close();
      const p = t.bytes.subarray(1);
      const count = p[0] ?? 0;
      const opcode = p[1] ?? -1;
      open = {
        head: {
          index,
          opcode,
          name: NAMES[opcode] ?? `0x${opcode.toString(16)}`,
          param1: p[2] ?? 0,
          param2: (p[3] ?? 0) | ((p[4] ?? 0) << 8),
          data: p.slice(5, Math.max(5, count - 2)),
        },
        bytes: [],
        reads: [],
      };
      return;
    }
    if (open === undefined || (open.bytes.length > 0 && open.bytes.length >= open.bytes[0]!)) return;
    open.bytes.push(...t.bytes);
    open.reads.push(index);
  });
  close();
  return out;
}

/** Read/Write param2 of the data zone: slot in bits 6:3, block from bit 8 (datasheet §9.1.4). */
export function dataSlotOf(e: AteccExchange): { slot: number; block: number } | undefined {
  if ((e.param1 & 0x03) !== 0x02) return undefined; // zone bits: 2 = data
  return { slot: (e.param2 >> 3) & 0x0f, block: e.param2 >> 8 };
}

export interface SlotReassembly {
  /** The slot's bytes as far as 32-byte Reads of it were seen (missing blocks stay zero). */
  readonly bytes: Uint8Array;
  /** Blocks seen, in order. */
  readonly blocks: readonly number[];
  /** Trace indices of the commands and responses that carried them. */
  readonly indices: readonly number[];
}

/**
 * The slot as the trace gave it away: every successful 32-byte Read of it, block by block.
 * With several reads of one block (every boot reads it again) the first wins.
 */
export function reassembleSlot(exchanges: readonly AteccExchange[], slot: number): SlotReassembly {
  const bytes = new Uint8Array(Math.ceil(slotSize(slot) / 32) * 32);
  const blocks: number[] = [];
  const indices: number[] = [];
  for (const e of exchanges) {
    const where = dataSlotOf(e);
    if (e.opcode !== OPCODE.READ || where?.slot !== slot || (e.param1 & 0x80) === 0) continue;
    if (e.payload?.length !== 32 || blocks.includes(where.block) || (where.block + 1) * 32 > bytes.length)
      continue;
    bytes.set(e.payload, where.block * 32);
    blocks.push(where.block);
    indices.push(e.index, ...e.responseIndices);
  }
  return { bytes, blocks, indices };
}

/** How many of each command the trace holds: "READ ×17, NONCE ×2, SIGN ×2". */
export function commandCounts(exchanges: readonly AteccExchange[]): string {
  const counts = new Map<string, number>();
  for (const e of exchanges) counts.set(e.name, (counts.get(e.name) ?? 0) + 1);
  return [...counts].map(([n, c]) => `${n} ×${c}`).join(', ') || 'none';
}

/** Every byte that crossed the bus to or from `address` (command data and response payloads). */
export function traceBytes(exchanges: readonly AteccExchange[]): Uint8Array {
  return Uint8Array.from(exchanges.flatMap((e) => [...e.data, ...(e.payload ?? [])]));
}
