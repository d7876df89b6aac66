import { CONTENT_TYPE_NAMES, named, VERSION_NAMES } from './registry.js';
import type { TlsDirection, TlsRecord } from './types.js';

// Times (microseconds since the epoch) and stream offsets may pass 2^31: a Float64Array. The
// other fields are small integers: an Int32Array, whose values come out as small integers. Read
// from a Float64Array they would be doubles, and each object field holding one a number box of
// its own (a record view's length and offset, kept by the hundred thousand in an analysis):
// offsets are handed out as small integers when they are.
const TIMESTAMP = 0;
const END_TIMESTAMP = 1;
const OFFSET = 2;
const WIDE_STRIDE = 3;
const DIRECTION = 0;
const CONTENT_TYPE = 1;
const LEGACY_VERSION = 2;
const LENGTH = 3;
const ENCRYPTED = 4;
const INT_STRIDE = 5;

/** `v` (a whole number ≥ 0) as a small integer when it is one: an object field then holds it unboxed. */
const small = (v: number): number => (v <= 0x3fffffff ? v | 0 : v);

/**
 * A connection's records as rows of numbers, in capture order: a busy connection has thousands
 * of records, and the analysis reads a few fields of each. `get` makes the TlsRecord of one row
 * for a caller that wants the object.
 */
export class TlsRecordTable {
  #wide = new Float64Array(16 * WIDE_STRIDE);
  #ints = new Int32Array(16 * INT_STRIDE);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(
    direction: TlsDirection,
    timestampUs: number,
    endTimestampUs: number,
    offset: number,
    contentType: number,
    legacyVersion: number,
    length: number,
    encrypted: boolean,
  ): number {
    const index = this.#length;
    let wide = this.#wide;
    let ints = this.#ints;
    if ((index + 1) * INT_STRIDE > ints.length) {
      wide = new Float64Array(wide.length * 2);
      wide.set(this.#wide);
      this.#wide = wide;
      ints = new Int32Array(ints.length * 2);
      ints.set(this.#ints);
      this.#ints = ints;
    }
    const w = index * WIDE_STRIDE;
    wide[w + TIMESTAMP] = timestampUs;
    wide[w + END_TIMESTAMP] = endTimestampUs;
    wide[w + OFFSET] = offset;
    const at = index * INT_STRIDE;
    ints[at + DIRECTION] = direction === 'c2s' ? 0 : 1;
    ints[at + CONTENT_TYPE] = contentType;
    ints[at + LEGACY_VERSION] = legacyVersion;
    ints[at + LENGTH] = length;
    ints[at + ENCRYPTED] = encrypted ? 1 : 0;
    this.#length = index + 1;
    return index;
  }

  direction(i: number): TlsDirection {
    return this.#ints[i * INT_STRIDE + DIRECTION] === 0 ? 'c2s' : 's2c';
  }

  timestampUs(i: number): number {
    return this.#wide[i * WIDE_STRIDE + TIMESTAMP]!;
  }

  offset(i: number): number {
    return small(this.#wide[i * WIDE_STRIDE + OFFSET]!);
  }

  contentType(i: number): number {
    return this.#ints[i * INT_STRIDE + CONTENT_TYPE]!;
  }

  /** The fragment's length (the header excluded). */
  fragmentLength(i: number): number {
    return this.#ints[i * INT_STRIDE + LENGTH]!;
  }

  /** Records sent in one direction. */
  count(direction: TlsDirection): number {
    const d = direction === 'c2s' ? 0 : 1;
    let n = 0;
    for (let at = DIRECTION; at < this.#length * INT_STRIDE; at += INT_STRIDE) if (this.#ints[at] === d) n++;
    return n;
  }

  /** Row `i` as a record object (undefined past the end). */
  get(i: number): TlsRecord | undefined {
    if (!(i >= 0 && i < this.#length)) return undefined;
    const r = this.#ints;
    const at = i * INT_STRIDE;
    const w = i * WIDE_STRIDE;
    const contentType = r[at + CONTENT_TYPE]!;
    const legacyVersion = r[at + LEGACY_VERSION]!;
    return {
      index: i,
      direction: this.direction(i),
      timestampUs: this.#wide[w + TIMESTAMP]!,
      endTimestampUs: this.#wide[w + END_TIMESTAMP]!,
      offset: small(this.#wide[w + OFFSET]!),
      contentType,
      contentTypeName: CONTENT_TYPE_NAMES.get(contentType) ?? 'unknown',
      legacyVersion,
      legacyVersionName: named(VERSION_NAMES, legacyVersion, false).name,
      length: r[at + LENGTH]!,
      encrypted: r[at + ENCRYPTED] === 1,
    };
  }

  toArray(): TlsRecord[] {
    const out = new Array<TlsRecord>(this.#length);
    for (let i = 0; i < this.#length; i++) out[i] = this.get(i)!;
    return out;
  }
}
