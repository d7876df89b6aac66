/**
 * Fault injection on the emulated bus: a part pulled out and pushed back, a part that NACKs, and
 * bit errors on SDA. A corrupted byte is corrupted on the wire, so the receiver (the target for
 * a write, the master for a read) and every tap see the same wrong value, as a real glitch would.
 *
 * Bit errors hit data bytes only: an address byte with a flipped bit would address another part,
 * which is a different experiment (attach a target at that address instead).
 */
import { LabError } from '../../core/errors.js';
import { parseOptions, rngSchema, z } from '../../core/options.js';
import type { Rng } from '../../core/rng.js';
import { assertDeviceAddress } from './address.js';
import type { I2cTarget } from './target.js';
import type { I2cDirection } from './transaction.js';

/** What the faults need from the bus: pulling a part out and putting it back. */
export interface PluggableBus {
  attach(address: number, target: I2cTarget): void;
  detach(address: number): I2cTarget | undefined;
}

export type FaultDirection = I2cDirection | 'both';

/** A NACK the faults impose on one transaction. */
export type ForcedNack = { readonly at: 'address' } | { readonly at: 'data'; readonly index: number };

/**
 * The faults that apply to one transaction. Nothing is used up until `commit`: a one-shot bit
 * error aimed at a write the target then NACKs never reached the wire, so it stays armed.
 * A bit-error rate draws from its Rng as soon as `corrupt` runs, so a seeded run is reproducible
 * whatever the parts answer.
 */
export interface TransferPlan {
  readonly nack: ForcedNack | undefined;
  /** A copy of `bytes` as it will be on the wire, bit errors applied. */
  corrupt(bytes: Uint8Array): Uint8Array;
  /** The transfer took place as planned. */
  commit(): void;
}

const directionSchema = z.enum(['write', 'read', 'both']);

const nackSchema = z.strictObject({
  /** How many matching transactions to NACK; until `clearNack` when absent. */
  transactions: z.number().int().positive().optional(),
  direction: directionSchema.optional(),
  /** NACK this data byte of a write instead of the address byte. */
  atByte: z.number().int().min(0).optional(),
});
export type ForceNackOptions = z.input<typeof nackSchema>;

const flipSchema = z.strictObject({
  direction: z.enum(['write', 'read']),
  /** Index of the data byte (0 = first byte after the address). */
  byte: z.number().int().min(0),
  /** 0 = least significant bit, 7 = most significant (the first on the wire). */
  bit: z.number().int().min(0).max(7),
  /** Only a transaction to this address; any address when absent. */
  address: z.number().optional(),
});
export type FlipBitOptions = z.input<typeof flipSchema>;

const noiseSchema = z.strictObject({
  /** Probability that each data bit is flipped. */
  rate: z.number().min(0).max(1),
  /** Injected so a lab run with a seed flips the same bits every time. */
  rng: rngSchema,
  direction: directionSchema.default('both'),
  address: z.number().optional(),
});
export type BitErrorOptions = z.input<typeof noiseSchema>;

interface NackFault {
  remaining: number;
  readonly direction: FaultDirection;
  readonly atByte: number | undefined;
}

interface FlipFault {
  readonly direction: I2cDirection;
  readonly byte: number;
  readonly bit: number;
  readonly address: number | undefined;
}

interface NoiseFault {
  readonly threshold: number;
  readonly rng: Rng;
  readonly direction: FaultDirection;
  readonly address: number | undefined;
}

const TWO_POW_32 = 2 ** 32;

export class I2cFaults {
  readonly #bus: PluggableBus;
  readonly #unplugged = new Map<number, I2cTarget>();
  readonly #nacks = new Map<number, NackFault>();
  #flips: FlipFault[] = [];
  #noise: NoiseFault[] = [];

  constructor(bus: PluggableBus) {
    this.#bus = bus;
  }

  /** Pulls the part out: the address NACKs until `replug`. False if nothing was attached there. */
  unplug(address: number): boolean {
    assertDeviceAddress(address, 'i2c unplug');
    const target = this.#bus.detach(address);
    if (target === undefined) return false;
    this.#unplugged.set(address, target);
    return true;
  }

  /** Puts the part back where it was. False if nothing was unplugged there; throws if the address is now taken. */
  replug(address: number): boolean {
    assertDeviceAddress(address, 'i2c replug');
    const target = this.#unplugged.get(address);
    if (target === undefined) return false;
    this.#bus.attach(address, target);
    this.#unplugged.delete(address);
    return true;
  }

  unplugged(): number[] {
    return [...this.#unplugged.keys()].sort((a, b) => a - b);
  }

  /**
   * The part at `address` NACKs (whether or not one is attached), for `transactions` matching
   * transactions or until `clearNack`. With `atByte`, a write is NACKed at that data byte: the
   * target receives the bytes before it, the master stops. Replaces an earlier forced NACK there.
   */
  forceNack(address: number, options: ForceNackOptions = {}): void {
    assertDeviceAddress(address, 'i2c forceNack');
    const o = parseOptions(nackSchema, options, 'i2c forceNack');
    // UM10204 §3.1.6: in a read the master acknowledges the data, so a target can only NACK its address.
    if (o.atByte !== undefined && o.direction !== undefined && o.direction !== 'write') {
      throw new LabError(
        'ERR_OPTIONS_INVALID',
        'i2c forceNack: option atByte: only a write has data bytes a target acknowledges',
        {
          details: { where: 'i2c forceNack', option: 'atByte' },
        },
      );
    }
    this.#nacks.set(address, {
      remaining: o.transactions ?? Infinity,
      direction: o.direction ?? (o.atByte === undefined ? 'both' : 'write'),
      atByte: o.atByte,
    });
  }

  clearNack(address: number): void {
    assertDeviceAddress(address, 'i2c clearNack');
    this.#nacks.delete(address);
  }

  /** Flips one bit of one data byte in the next transaction that matches and carries that byte. */
  flipBit(options: FlipBitOptions): void {
    const o = parseOptions(flipSchema, options, 'i2c flipBit');
    if (o.address !== undefined) assertDeviceAddress(o.address, 'i2c flipBit');
    this.#flips.push({ direction: o.direction, byte: o.byte, bit: o.bit, address: o.address });
  }

  /** Flips each data bit of matching transactions with probability `rate`, drawn from `rng`. */
  bitErrors(options: BitErrorOptions): void {
    const o = parseOptions(noiseSchema, options, 'i2c bitErrors');
    if (o.address !== undefined) assertDeviceAddress(o.address, 'i2c bitErrors');
    this.#noise.push({
      threshold: o.rate * TWO_POW_32,
      rng: o.rng,
      direction: o.direction,
      address: o.address,
    });
  }

  clearBitErrors(): void {
    this.#flips = [];
    this.#noise = [];
  }

  /** Removes every NACK and bit-error fault. Unplugged parts stay out until `replug`. */
  clear(): void {
    this.#nacks.clear();
    this.clearBitErrors();
  }

  /** Called by the bus before each transaction (never for a general call). */
  plan(direction: I2cDirection, address: number, dataLength: number): TransferPlan {
    const nackFault = this.#nacks.get(address);
    const nack = nackFault === undefined ? undefined : forcedNack(nackFault, direction, dataLength);
    const applied: FlipFault[] = [];
    return {
      nack,
      corrupt: (bytes) => {
        const out = new Uint8Array(bytes);
        for (const flip of this.#flips) {
          if (flip.byte >= out.length || !matches(flip, direction, address)) continue;
          out[flip.byte]! ^= 1 << flip.bit;
          applied.push(flip);
        }
        for (const noise of this.#noise) {
          if (noise.threshold > 0 && matches(noise, direction, address)) addNoise(out, noise);
        }
        return out;
      },
      commit: () => {
        if (nack !== undefined && nackFault !== undefined && --nackFault.remaining <= 0) {
          this.#nacks.delete(address);
        }
        if (applied.length > 0) this.#flips = this.#flips.filter((f) => !applied.includes(f));
      },
    };
  }
}

function forcedNack(fault: NackFault, direction: I2cDirection, dataLength: number): ForcedNack | undefined {
  if (fault.direction !== 'both' && fault.direction !== direction) return undefined;
  if (fault.atByte === undefined) return { at: 'address' };
  return fault.atByte < dataLength ? { at: 'data', index: fault.atByte } : undefined;
}

function matches(
  fault: { readonly direction: FaultDirection; readonly address: number | undefined },
  direction: I2cDirection,
  address: number,
): boolean {
  return (
    (fault.direction === 'both' || fault.direction === direction) &&
    (fault.address === undefined || fault.address === address)
  );
}

/** One 32-bit draw per bit, so the flips depend only on the seed and the traffic. */
function addNoise(bytes: Uint8Array, noise: NoiseFault): void {
  const draws = noise.rng.bytes(bytes.length * 8 * 4);
  const view = new DataView(draws.buffer, draws.byteOffset, draws.byteLength);
  for (let i = 0; i < bytes.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      if (view.getUint32((i * 8 + bit) * 4) < noise.threshold) bytes[i]! ^= 1 << bit;
    }
  }
}
