/**
 * The ranges [start, end) of a stream already filled, kept sorted and merged, so a new segment
 * is split into the parts nobody sent before (copied) and the parts already there (compared).
 */
export class Intervals {
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];

  /** Parts of [start, end) not yet covered, in order. */
  uncovered(start: number, end: number): [number, number][] {
    const out: [number, number][] = [];
    let at = start;
    for (let i = this.#firstEndingAfter(start); i < this.#starts.length && at < end; i++) {
      const s = this.#starts[i]!;
      if (s >= end) break;
      if (s > at) out.push([at, s]);
      at = Math.max(at, this.#ends[i]!);
    }
    if (at < end) out.push([at, end]);
    return out;
  }

  /** The end of the last range: everything from here on is uncovered (0 when empty). */
  get end(): number {
    return this.#ends.at(-1) ?? 0;
  }

  add(start: number, end: number): void {
    if (end <= start) return;
    const last = this.#ends.length - 1;
    // Appending after the last range, or extending it: the in-order stream needs no search.
    if (last < 0 || start > this.#ends[last]!) {
      this.#starts.push(start);
      this.#ends.push(end);
      return;
    }
    if (start >= this.#starts[last]!) {
      this.#ends[last] = Math.max(this.#ends[last]!, end);
      return;
    }
    const i = this.#firstEndingAfter(start - 1); // touching ranges merge too
    let s = start;
    let e = end;
    let remove = 0;
    while (i + remove < this.#starts.length && this.#starts[i + remove]! <= e) {
      s = Math.min(s, this.#starts[i + remove]!);
      e = Math.max(e, this.#ends[i + remove]!);
      remove++;
    }
    this.#starts.splice(i, remove, s);
    this.#ends.splice(i, remove, e);
  }

  /** The holes in [0, end). */
  gaps(end: number): { offset: number; length: number }[] {
    const out: { offset: number; length: number }[] = [];
    let at = 0;
    for (let i = 0; i < this.#starts.length && at < end; i++) {
      const s = Math.min(this.#starts[i]!, end);
      if (s > at) out.push({ offset: at, length: s - at });
      at = Math.max(at, this.#ends[i]!);
    }
    if (at < end) out.push({ offset: at, length: end - at });
    return out;
  }

  /** Index of the first range whose end is > x (binary search). */
  #firstEndingAfter(x: number): number {
    let lo = 0;
    let hi = this.#ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#ends[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
