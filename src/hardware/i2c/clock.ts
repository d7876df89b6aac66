import type { BusClock } from './target.js';

/** Virtual time: `sleep` advances the clock at once, so tests and lab runs need not wait for hardware delays. */
export class VirtualBusClock implements BusClock {
  #now: number;

  constructor(startUs = 0) {
    this.#now = startUs;
  }

  nowUs(): number {
    return this.#now;
  }

  /** Moves time forward without waiting (also used by the bus for the duration of each transfer). */
  advance(us: number): void {
    if (!(us >= 0)) throw new RangeError('time only moves forward');
    this.#now += us;
  }

  sleep(us: number): Promise<void> {
    this.advance(us);
    return Promise.resolve();
  }
}

/** Wall-clock time, for a device that runs against real sockets at real speed. */
export const realBusClock: BusClock = Object.freeze({
  nowUs: () => performance.now() * 1000,
  sleep: (us: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.ceil(us / 1000))),
});
