import { ByteQueue } from './byte-queue.js';

/**
 * The record layer of one direction: cuts a byte stream into TLS records (RFC 5246 §6.2,
 * RFC 8446 §5.1), whatever the chunking. Incremental and bounded: the header is checked before
 * a fragment byte is kept, so at most one record (≤ 2^14 + 2048 bytes) plus one chunk is ever
 * buffered.
 */

/** RFC 5246 §6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048 (the largest of any version). */
export const MAX_RECORD_LENGTH = 2 ** 14 + 2048;
/** RFC 5246 §6.2.1 / RFC 8446 §5.1: a plaintext fragment MUST NOT exceed 2^14 bytes. */
export const MAX_PLAINTEXT_LENGTH = 2 ** 14;
export const RECORD_HEADER_LENGTH = 5;

export interface FramedRecord {
  readonly offset: number;
  readonly timestampUs: number;
  readonly endTimestampUs: number;
  readonly contentType: number;
  readonly legacyVersion: number;
  readonly fragment: Uint8Array;
}

export interface FrameFailure {
  readonly offset: number;
  readonly what: string;
}

export class RecordFramer {
  private readonly queue = new ByteQueue();
  /** Stream offset of the first buffered byte. */
  private offset = 0;
  private failure: FrameFailure | undefined;

  /** Bytes held that do not yet make a whole record. */
  get pending(): number {
    return this.queue.length;
  }

  get failed(): FrameFailure | undefined {
    return this.failure;
  }

  /** Feed bytes; returns the records they complete. After a failure, bytes are ignored. */
  push(bytes: Uint8Array, timestampUs: number): FramedRecord[] {
    const out: FramedRecord[] = [];
    this.feed(bytes, timestampUs, (offset, ts, endTs, contentType, legacyVersion, source, start, length) => {
      out.push({
        offset,
        timestampUs: ts,
        endTimestampUs: endTs,
        contentType,
        legacyVersion,
        fragment: new Uint8Array(source.buffer, source.byteOffset + start, length),
      });
    });
    return out;
  }

  /**
   * `push` without a record object: `sink` gets each completed record's fields, its fragment
   * being `source[start, start + length)` (a reader of lengths only makes no view).
   */
  feed(bytes: Uint8Array, timestampUs: number, sink: RecordSink): void {
    if (this.failure) return;
    if (this.queue.length === 0) return this.#cut(bytes, timestampUs, sink);
    this.queue.push(bytes, timestampUs);
    const q = this.queue;
    while (q.length >= RECORD_HEADER_LENGTH) {
      const length = (q.byteAt(3) << 8) | q.byteAt(4);
      const what = checkHeader(q.byteAt(1), length);
      if (what) {
        this.failure = { offset: this.offset, what };
        q.clear();
        break;
      }
      if (q.length < RECORD_HEADER_LENGTH + length) break;
      const startTs = q.front()!.tag;
      const whole = q.take(RECORD_HEADER_LENGTH + length);
      const offset = this.offset;
      this.offset += whole.length;
      sink(
        offset,
        startTs,
        timestampUs,
        whole[0]!,
        (whole[1]! << 8) | whole[2]!,
        whole,
        RECORD_HEADER_LENGTH,
        length,
      );
    }
  }

  /** The records whole in `bytes` (nothing buffered before it); the rest is queued. */
  #cut(bytes: Uint8Array, timestampUs: number, sink: RecordSink): void {
    let at = 0;
    while (bytes.length - at >= RECORD_HEADER_LENGTH) {
      const length = (bytes[at + 3]! << 8) | bytes[at + 4]!;
      const what = checkHeader(bytes[at + 1]!, length);
      if (what) {
        this.failure = { offset: this.offset, what };
        return;
      }
      const end = at + RECORD_HEADER_LENGTH + length;
      if (end > bytes.length) break;
      const offset = this.offset;
      this.offset += end - at;
      sink(
        offset,
        timestampUs,
        timestampUs,
        bytes[at]!,
        (bytes[at + 1]! << 8) | bytes[at + 2]!,
        bytes,
        at + RECORD_HEADER_LENGTH,
        length,
      );
      at = end;
    }
    if (at < bytes.length) this.queue.push(at === 0 ? bytes : bytes.subarray(at), timestampUs);
  }
}

/** A completed record, its fragment `source[start, start + length)`. */
export type RecordSink = (
  offset: number,
  timestampUs: number,
  endTimestampUs: number,
  contentType: number,
  legacyVersion: number,
  source: Uint8Array,
  start: number,
  length: number,
) => void;

/** Why a record header breaks framing, or undefined when it does not. */
export function checkHeader(major: number, length: number): string | undefined {
  // RFC 5246 §6.2.1 / RFC 8446 §5.1: ProtocolVersion is {3, x} for SSL 3.0 and every TLS.
  if (major !== 3) return `record header: version major ${major}, not 3`;
  // RFC 5246 §6.2.3: nothing past 2^14 + 2048 is a record of any version.
  if (length > MAX_RECORD_LENGTH) return `record header: length ${length} exceeds 2^14+2048`;
  return undefined;
}
