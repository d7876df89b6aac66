import { createHash, randomBytes } from 'node:crypto';

/** Randomness source, injected where reproducibility matters (serial numbers, lab seeds). */
export interface Rng {
  bytes(length: number): Uint8Array;
}

export const systemRng: Rng = Object.freeze({
  bytes: (length: number): Uint8Array => new Uint8Array(randomBytes(length)),
});

/**
 * Deterministic stream: SHA-256(seed ‖ counter) blocks. For reproducible lab runs and tests only;
 * it is not a CSPRNG for secrets, and key generation never uses it.
 */
export class SeededRng implements Rng {
  readonly #seed: Buffer;
  #counter = 0n;
  #pool = Buffer.alloc(0);

  constructor(seed: string | Uint8Array) {
    this.#seed = Buffer.from(typeof seed === 'string' ? Buffer.from(seed, 'utf8') : seed);
  }

  bytes(length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`SeededRng: bad length ${length}`);
    while (this.#pool.length < length) {
      const counter = Buffer.alloc(8);
      counter.writeBigUInt64BE(this.#counter++);
      const block = createHash('sha256').update(this.#seed).update(counter).digest();
      this.#pool = Buffer.concat([this.#pool, block]);
    }
    const out = new Uint8Array(this.#pool.subarray(0, length));
    this.#pool = this.#pool.subarray(length);
    return out;
  }
}
