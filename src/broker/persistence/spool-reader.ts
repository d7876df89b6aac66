import { readSync } from 'node:fs';
import { frameEnd, HEADER, storeError, tryFrame } from './frames.js';
import type { StoreRecord } from './records.js';

/** Bytes read from a spool file at a time while it is drained. */
export const READ_CHUNK = 256 * 1024;

/**
 * Reads frames of a file front to back through one cached chunk, so draining a spool costs one
 * read(2) per 256 KiB, not one per message. The bytes it caches never change under it: a spool
 * is only appended to, and the owner calls `reset` when it replaces or deletes the file.
 */
export class ChunkReader {
  #chunk: Buffer = Buffer.alloc(0);
  #chunkAt = 0;

  constructor(
    private readonly path: string,
    /** The descriptor to read through (opened on demand by the owner). */
    private readonly fd: () => number,
  ) {}

  /** The frame at `pos` in a file of `size` bytes; undefined if it fails its checks. */
  frameAt(pos: number, size: number): { record: StoreRecord; end: number } | undefined {
    const head = this.bytes(pos, Math.min(pos + HEADER, size), size);
    const end = frameEnd(head.buf, head.at);
    if (end === undefined) return undefined;
    const length = end - head.at;
    if (pos + length > size) return undefined;
    const whole = this.bytes(pos, pos + length, size);
    const parsed = tryFrame(whole.buf.subarray(0, whole.at + length), whole.at);
    return parsed && { record: parsed.record, end: pos + length };
  }

  /** Bytes [from, to) of a file of `size` bytes: `buf` holds them from index `at`. */
  bytes(from: number, to: number, size: number): { buf: Buffer; at: number } {
    if (from < this.#chunkAt || to > this.#chunkAt + this.#chunk.length) {
      const want = Math.min(Math.max(READ_CHUNK, to - from), size - from);
      const buf = Buffer.allocUnsafe(want);
      let got = 0;
      try {
        while (got < want) {
          const n = readSync(this.fd(), buf, got, want - got, from + got);
          if (n === 0) break;
          got += n;
        }
      } catch (err) {
        throw storeError(err, this.path, 'cannot read');
      }
      this.#chunk = buf.subarray(0, got);
      this.#chunkAt = from;
    }
    return { buf: this.#chunk, at: from - this.#chunkAt };
  }

  /** Forget the cached bytes (the file was replaced, deleted, or drained). */
  reset(): void {
    this.#chunk = Buffer.alloc(0);
    this.#chunkAt = 0;
  }
}
