/** Time source, injected wherever an outcome depends on "now" (validity, CRL dates, serial logs). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = Object.freeze({ now: () => new Date() });

/** A clock stopped at `at`; `advance` moves it, so tests can cross a notAfter deterministically. */
export class FixedClock implements Clock {
  #ms: number;
  constructor(at: Date | string | number) {
    const ms = new Date(at).getTime();
    if (Number.isNaN(ms)) throw new RangeError(`FixedClock: not a date: ${String(at)}`);
    this.#ms = ms;
  }
  now(): Date {
    return new Date(this.#ms);
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
}
