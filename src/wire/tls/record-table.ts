import { CONTENT_TYPE_NAMES, named, VERSION_NAMES } from './registry.js';
import type { TlsDirection, TlsRecord } from './types.js';

const DIRECTION = 0;
const TIMESTAMP = 1;
const END_TIMESTAMP = 2;
const OFFSET = 3;
const CONTENT_TYPE = 4;
const LEGACY_VERSION = 5;
const LENGTH = 6;
const ENCRYPTED = 7;
const STRIDE = 8;

/**
 * A connection's records as rows of numbers, in capture order: a busy connection has thousands
 * of records, and the analysis reads a few fields of each. `get` makes the TlsRecord of one row
 * for a caller that wants the object.
 */
export class TlsRecordTable {
  #rows = new Float64Array(16 * STRIDE);
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
    let rows = this.#rows;
    if ((index + 1) * STRIDE > rows.length) {
      rows = new Float64Array(rows.length * 2);
      rows.set(this.#rows);
      this.#rows = rows;
    }
    const at = index * STRIDE;
    rows[at + DIRECTION] = direction === 'c2s' ? 0 : 1;
    rows[at + TIMESTAMP] = timestampUs;
    rows[at + END_TIMESTAMP] = endTimestampUs;
    rows[at + OFFSET] = offset;
    rows[at + CONTENT_TYPE] = contentType;
    rows[at + LEGACY_VERSION] = legacyVersion;
    rows[at + LENGTH] = length;
    rows[at + ENCRYPTED] = encrypted ? 1 : 0;
    this.#length = index + 1;
    return index;
  }

  direction(i: number): TlsDirection {
    return this.#rows[i * STRIDE + DIRECTION] === 0 ? 'c2s' : 's2c';
  }

  timestampUs(i: number): number {
    return this.#rows[i * STRIDE + TIMESTAMP]!;
  }

  offset(i: number): number {
    return this.#rows[i * STRIDE + OFFSET]!;
  }

  contentType(i: number): number {
    return this.#rows[i * STRIDE + CONTENT_TYPE]!;
  }

  /** The fragment's length (the header excluded). */
  fragmentLength(i: number): number {
    return this.#rows[i * STRIDE + LENGTH]!;
  }

  /** Records sent in one direction. */
  count(direction: TlsDirection): number {
    const d = direction === 'c2s' ? 0 : 1;
    let n = 0;
    for (let at = DIRECTION; at < this.#length * STRIDE; at += STRIDE) if (this.#rows[at] === d) n++;
    return n;
  }

  /** Row `i` as a record object (undefined past the end). */
  get(i: number): TlsRecord | undefined {
    if (!(i >= 0 && i < this.#length)) return undefined;
    const r = this.#rows;
    const at = i * STRIDE;
    const contentType = r[at + CONTENT_TYPE]!;
    const legacyVersion = r[at + LEGACY_VERSION]!;
    return {
      index: i,
      direction: this.direction(i),
      timestampUs: r[at + TIMESTAMP]!,
      endTimestampUs: r[at + END_TIMESTAMP]!,
      offset: r[at + OFFSET]!,
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
