/**
 * The emulated I2C bus: one master (the firmware, through an Arduino-Wire-like API), devices at
 * 7-bit addresses, synchronous transactions. Every transaction takes its on-wire time on the bus
 * clock and is handed to the observers (taps) exactly as it was on SCL/SDA.
 */
import { LabError } from '../../core/errors.js';
import { parseOptions, z } from '../../core/options.js';
import {
  assertBusAddress,
  assertDeviceAddress,
  FIRST_DEVICE_ADDRESS,
  hexAddress,
  LAST_DEVICE_ADDRESS,
} from './address.js';
import { VirtualBusClock } from './clock.js';
import { I2cFaults, type TransferPlan } from './faults.js';
import type { BusClock, I2cTarget } from './target.js';
import {
  addressPhaseUs,
  DEFAULT_FREQUENCY_HZ,
  GENERAL_CALL_ADDRESS,
  generalCallLowUs,
  MAX_FREQUENCY_HZ,
  transferDurationUs,
} from './timing.js';
import type { I2cReadResult, I2cTransaction, I2cWriteResult } from './transaction.js';

/** Far above any real transfer (Wire buffers 128 bytes, an ATECC608B command is at most 155). */
export const MAX_TRANSFER_BYTES = 65_535;

/** What a part puts on SDA when it has nothing to drive: the pull-up reads as 1. */
const RELEASED_BYTE = 0xff;

const busClockSchema = z.custom<BusClock>(
  (v) =>
    typeof (v as BusClock | undefined)?.nowUs === 'function' &&
    typeof (v as BusClock | undefined)?.sleep === 'function',
  'expected a BusClock',
);
const frequencySchema = z.number().int().min(1).max(MAX_FREQUENCY_HZ);

const schema = z.strictObject({
  /** A new VirtualBusClock at 0 when absent, so a bus on its own is deterministic. */
  clock: busClockSchema.optional(),
  frequencyHz: frequencySchema.default(DEFAULT_FREQUENCY_HZ),
});
export type I2cBusOptions = z.input<typeof schema>;

export type I2cObserver = (transaction: I2cTransaction) => void;

type Outcome = Pick<I2cTransaction, 'ack' | 'nackAt' | 'index' | 'faulted'>;

export class I2cBus {
  readonly clock: BusClock;
  readonly faults: I2cFaults;
  #frequencyHz: number;
  readonly #targets = new Map<number, I2cTarget>();
  readonly #observers = new Set<I2cObserver>();
  /** With a real clock, code runs faster than the wire: a transfer cannot start before the last one ended. */
  #freeAtUs = -Infinity;

  constructor(options: I2cBusOptions = {}) {
    const o = parseOptions(schema, options, 'i2c bus');
    this.clock = o.clock ?? new VirtualBusClock();
    this.#frequencyHz = o.frequencyHz;
    this.faults = new I2cFaults(this);
  }

  get frequencyHz(): number {
    return this.#frequencyHz;
  }

  /** `Wire.setClock(hz)`: the host library runs at 100 kHz to wake an ATECC608B, then 400 kHz. */
  setFrequency(hz: number): void {
    const parsed = frequencySchema.safeParse(hz);
    if (!parsed.success) {
      throw new LabError(
        'ERR_OPTIONS_INVALID',
        `i2c setFrequency: ${hz} Hz is not an integer in 1–${MAX_FREQUENCY_HZ}`,
        {
          details: { where: 'i2c setFrequency', option: 'frequencyHz' },
        },
      );
    }
    this.#frequencyHz = parsed.data;
  }

  nowUs(): number {
    return this.clock.nowUs();
  }

  sleep(us: number): Promise<void> {
    return this.clock.sleep(us);
  }

  /** Plugs a part in at a free device address. */
  attach(address: number, target: I2cTarget): void {
    assertDeviceAddress(address, 'i2c attach');
    if (this.#targets.has(address)) {
      throw new LabError('ERR_I2C_ADDRESS_INVALID', `i2c attach: ${hexAddress(address)} is taken`, {
        details: { where: 'i2c attach', address },
      });
    }
    this.#targets.set(address, target);
  }

  /** Pulls a part out; returns it, or undefined if nothing was attached there. */
  detach(address: number): I2cTarget | undefined {
    assertDeviceAddress(address, 'i2c detach');
    const target = this.#targets.get(address);
    this.#targets.delete(address);
    return target;
  }

  targetAt(address: number): I2cTarget | undefined {
    return this.#targets.get(address);
  }

  addresses(): number[] {
    return [...this.#targets.keys()].sort((a, b) => a - b);
  }

  /** Calls `observer` after every transaction; returns the function that stops it. */
  observe(observer: I2cObserver): () => void {
    this.#observers.add(observer);
    return () => void this.#observers.delete(observer);
  }

  /**
   * `Wire.beginTransmission(a); Wire.write(bytes); Wire.endTransmission()`. No bytes is an
   * address probe. A write to 0x00 is a general call, used to wake an ATECC608B.
   */
  write(address: number, bytes: Uint8Array | readonly number[] = []): I2cWriteResult {
    assertBusAddress(address, 'i2c write');
    const data = toBytes(bytes);
    const start = this.#startUs();
    if (address === GENERAL_CALL_ADDRESS) return this.#generalCall(start);
    const plan = this.faults.plan('write', address, data.length);
    const target = this.#targets.get(address);
    if (plan.nack?.at === 'address' || target === undefined) {
      return this.#addressNack('write', address, start, plan);
    }

    const nackIndex = plan.nack?.at === 'data' ? plan.nack.index : undefined;
    const sent = data.subarray(0, nackIndex === undefined ? data.length : nackIndex + 1);
    const wire = plan.corrupt(sent);
    const delivered = wire.slice(0, nackIndex ?? wire.length);
    // The part acts on a write at STOP, so it sees the time the transfer ends.
    const stopUs = start + transferDurationUs(this.#frequencyHz, 1 + wire.length);
    if (!target.write(delivered, stopUs)) return this.#addressNack('write', address, start, undefined);
    plan.commit();
    const faulted = nackIndex !== undefined || !sameBytes(wire, sent);
    if (nackIndex === undefined) {
      this.#record('write', address, start, wire, { ack: true, faulted });
      return { ack: true };
    }
    this.#record('write', address, start, wire, { ack: false, nackAt: 'data', index: nackIndex, faulted });
    return { ack: false, nackAt: 'data', index: nackIndex };
  }

  /** `Wire.requestFrom(a, length)`: a NACKed address returns no data. */
  read(address: number, length: number): I2cReadResult {
    assertBusAddress(address, 'i2c read');
    if (!Number.isInteger(length) || length < 1 || length > MAX_TRANSFER_BYTES) {
      throw new RangeError(`i2c read: length ${length} is not an integer in 1–${MAX_TRANSFER_BYTES}`);
    }
    const start = this.#startUs();
    const plan = this.faults.plan('read', address, length);
    const target = this.#targets.get(address);
    if (plan.nack?.at === 'address' || target === undefined) {
      this.#addressNack('read', address, start, plan);
      return { ack: false };
    }
    // The part decides what to send once its address byte is through.
    const answer = target.read(length, start + addressPhaseUs(this.#frequencyHz));
    if (answer === null) {
      this.#addressNack('read', address, start, undefined);
      return { ack: false };
    }
    const sent = fit(answer, length);
    const wire = plan.corrupt(sent);
    plan.commit();
    this.#record('read', address, start, wire, { ack: true, faulted: !sameBytes(wire, sent) });
    return { ack: true, data: wire.slice() };
  }

  /**
   * The addresses 0x08–0x77 (i2cdetect's range) that ACK an empty write: the Arduino scanner
   * sketch, and `i2cdetect -q` (SMBus Quick Write, which is an address byte and a STOP).
   */
  scan(): number[] {
    const found: number[] = [];
    for (let address = FIRST_DEVICE_ADDRESS; address <= LAST_DEVICE_ADDRESS; address++) {
      if (this.write(address).ack) found.push(address);
    }
    return found;
  }

  /**
   * UM10204 §3.1.13: a general call reaches every part, but I2cTarget has no entry for one, so
   * none acknowledges it (the ATECC608B never does) and the master stops after the address byte.
   * What matters is that SDA stayed low meanwhile, which every part that wakes on SDA notices.
   */
  #generalCall(start: number): I2cWriteResult {
    const lowUs = generalCallLowUs(this.#frequencyHz);
    for (const target of this.#targets.values()) target.sdaLow?.(lowUs, start + lowUs);
    this.#record('write', GENERAL_CALL_ADDRESS, start, new Uint8Array(0), {
      ack: false,
      nackAt: 'address',
      faulted: false,
    });
    return { ack: false, nackAt: 'address' };
  }

  /** `plan` is the fault plan when a forced NACK may be the cause, to be used up. */
  #addressNack(
    direction: 'write' | 'read',
    address: number,
    start: number,
    plan: TransferPlan | undefined,
  ): { ack: false; nackAt: 'address' } {
    const forced = plan?.nack?.at === 'address';
    if (forced) plan.commit();
    this.#record(direction, address, start, new Uint8Array(0), {
      ack: false,
      nackAt: 'address',
      faulted: forced,
    });
    return { ack: false, nackAt: 'address' };
  }

  #startUs(): number {
    return Math.max(this.clock.nowUs(), this.#freeAtUs);
  }

  #record(
    direction: 'write' | 'read',
    address: number,
    timeUs: number,
    bytes: Uint8Array,
    outcome: Outcome,
  ): void {
    const durationUs = transferDurationUs(this.#frequencyHz, 1 + bytes.length);
    const end = timeUs + durationUs;
    this.#freeAtUs = end;
    if (this.clock instanceof VirtualBusClock) {
      const behind = end - this.clock.nowUs();
      if (behind > 0) this.clock.advance(behind);
    }
    const transaction: I2cTransaction = Object.freeze({
      timeUs,
      durationUs,
      frequencyHz: this.#frequencyHz,
      direction,
      address,
      bytes,
      ...outcome,
    });
    for (const observer of this.#observers) observer(transaction);
  }
}

function toBytes(bytes: Uint8Array | readonly number[]): Uint8Array {
  if (bytes.length > MAX_TRANSFER_BYTES) {
    throw new RangeError(`i2c write: ${bytes.length} bytes is more than ${MAX_TRANSFER_BYTES}`);
  }
  if (bytes instanceof Uint8Array) return bytes.slice();
  for (const b of bytes) {
    if (!Number.isInteger(b) || b < 0 || b > 0xff) throw new RangeError(`i2c write: ${b} is not a byte`);
  }
  return Uint8Array.from(bytes);
}

/** A part that hands back too few bytes leaves SDA released for the rest; extra bytes never leave it. */
function fit(answer: Uint8Array, length: number): Uint8Array {
  if (answer.length === length) return answer.slice();
  const out = new Uint8Array(length).fill(RELEASED_BYTE);
  out.set(answer.subarray(0, length));
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
