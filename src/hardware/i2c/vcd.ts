/**
 * Logic-level export of recorded transactions as a Value Change Dump (IEEE 1364 §18), the format
 * PulseView, sigrok-cli and GTKWave open. Two wires, `scl` and `sda`, redrawn from each record:
 * START, 8 bits per byte MSB first plus the acknowledge bit, STOP (UM10204 §3.1.4–§3.1.6), with
 * the cell layout of timing.ts, so the waveform lasts exactly as long as the bus said.
 */
import { bitTimeUs } from './timing.js';
import type { I2cTransaction } from './transaction.js';

const SCL = '!';
const SDA = '"';

/** VCD allows 1, 10 or 100 of a unit; these are the candidate sample periods, coarsest first. */
const TICKS_NS = [1000, 100, 10, 1] as const;

type Edge = readonly [timeUs: number, wire: typeof SCL | typeof SDA, level: 0 | 1];

/**
 * The VCD text. Time #0 is one bit time before the first START (a decoder needs SDA high before
 * it can see SDA fall); the header says which bus time that is.
 */
export function transactionsToVcd(transactions: readonly I2cTransaction[]): string {
  const first = transactions[0];
  const originUs = first === undefined ? 0 : first.timeUs - bitTimeUs(first.frequencyHz);
  const tickNs = sampleTickNs(transactions);
  const lines = [
    '$version mqtts-lab I2C tap $end',
    `$comment #0 is bus time ${originUs} us; ${transactions.length} transactions $end`,
    `$timescale ${tickNs} ns $end`,
    '$scope module i2c $end',
    `$var wire 1 ${SCL} scl $end`,
    `$var wire 1 ${SDA} sda $end`,
    '$upscope $end',
    '$enddefinitions $end',
    '#0',
    '$dumpvars',
    `1${SCL}`,
    `1${SDA}`,
    '$end',
  ];
  const toTick = (us: number) => Math.round(((us - originUs) * 1000) / tickNs);
  const level = { [SCL]: 1, [SDA]: 1 };
  let lastTick = 0;
  for (const t of transactions) {
    for (const [timeUs, wire, value] of edges(t)) {
      if (level[wire] === value) continue;
      level[wire] = value;
      const tick = toTick(timeUs);
      if (tick !== lastTick) lines.push(`#${tick}`);
      lastTick = tick;
      lines.push(`${value}${wire}`);
    }
  }
  // A closing timestamp at the end of the last transaction, so the STOP edge is not the last
  // sample: a reader that stops at the last timestamp would never see SDA high after it.
  const last = transactions.at(-1);
  if (last !== undefined) lines.push(`#${toTick(last.timeUs + last.durationUs)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The coarsest period that still puts four samples in a quarter bit at the fastest rate used, so
 * rounding moves no edge past its neighbour and sigrok has few samples to decode (a 100 kHz
 * session samples at 10 MHz: 100 ns).
 */
function sampleTickNs(transactions: readonly I2cTransaction[]): number {
  const fastest = Math.max(0, ...transactions.map((t) => t.frequencyHz));
  if (fastest === 0) return TICKS_NS[0];
  const quarterNs = (bitTimeUs(fastest) * 1000) / 4;
  return TICKS_NS.find((tick) => tick * 4 <= quarterNs) ?? 1;
}

/** Every change of SCL and SDA during `t`, in time order (a level repeated is skipped by the caller). */
function edges(t: I2cTransaction): Edge[] {
  const bit = bitTimeUs(t.frequencyHz);
  const q = bit / 4;
  const s = t.timeUs;
  // START: SDA falls while SCL is high (UM10204 §3.1.4).
  const out: Edge[] = [
    [s, SDA, 0],
    [s + 2 * q, SCL, 0],
  ];
  const bits = wireBits(t);
  bits.forEach((value, k) => {
    // SDA changes only while SCL is low and is sampled while it is high (§3.1.3).
    const cell = s + bit * (1 + k);
    out.push([cell, SDA, value], [cell + q, SCL, 1], [cell + 3 * q, SCL, 0]);
  });
  // STOP: SDA rises while SCL is high (§3.1.4).
  const stop = s + bit * (1 + bits.length);
  out.push([stop, SDA, 0], [stop + q, SCL, 1], [stop + 2 * q, SDA, 1]);
  return out;
}

/** Address byte then data bytes, each as 8 bits MSB first and its acknowledge bit (0 = ACK). */
function wireBits(t: I2cTransaction): (0 | 1)[] {
  const read = t.direction === 'read';
  const addressAck = t.ack || t.nackAt === 'data';
  const bits = byteBits((t.address << 1) | (read ? 1 : 0), addressAck);
  t.bytes.forEach((byte, i) => {
    // §3.1.6: the master NACKs the last byte of a read to tell the part to stop sending.
    const ack = read ? i < t.bytes.length - 1 : !(t.nackAt === 'data' && t.index === i);
    bits.push(...byteBits(byte, ack));
  });
  return bits;
}

function byteBits(byte: number, ack: boolean): (0 | 1)[] {
  const bits: (0 | 1)[] = [];
  for (let i = 7; i >= 0; i--) bits.push(((byte >> i) & 1) as 0 | 1);
  bits.push(ack ? 0 : 1);
  return bits;
}
