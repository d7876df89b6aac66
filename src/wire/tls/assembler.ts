import { ByteQueue } from './byte-queue.js';

/** Our ceiling on one handshake message: certificate chains of an IoT lab are a few KiB. */
export const DEFAULT_MAX_HANDSHAKE_MESSAGE = 256 * 1024;
const HEADER = 4;

export interface AssembledMessage {
  readonly msgType: number;
  /** Stream offset of the 4-byte handshake header. */
  readonly offset: number;
  readonly body: Uint8Array;
}

/**
 * Handshake message reassembly for one direction (RFC 8446 §5.1, RFC 5246 §6.2.1: a message may
 * span records and a record may hold several). The uint24 length is checked against the limit
 * as soon as the 4-byte header is in, before any body byte is kept; past it, this direction's
 * handshake is abandoned and `failure` says why.
 */
export class HandshakeAssembler {
  private readonly queue = new ByteQueue();
  private failure: { offset: number; what: string } | undefined;

  constructor(private readonly maxMessage = DEFAULT_MAX_HANDSHAKE_MESSAGE) {}

  get pending(): number {
    return this.queue.length;
  }

  get failed(): { offset: number; what: string } | undefined {
    return this.failure;
  }

  /** Stream offset of the first pending byte (the header of a partial message). */
  private frontOffset(): number {
    const f = this.queue.front();
    return f ? f.tag + f.skip : 0;
  }

  /** Add a record's plaintext fragment found at `offset` in the stream; returns whole messages. */
  push(fragment: Uint8Array, offset: number): AssembledMessage[] {
    const out: AssembledMessage[] = [];
    if (this.failure) return out;
    this.queue.push(fragment, offset);
    const q = this.queue;
    while (q.length >= HEADER) {
      const length = (q.byteAt(1) << 16) | (q.byteAt(2) << 8) | q.byteAt(3);
      if (length > this.maxMessage) {
        this.failure = {
          offset: this.frontOffset(),
          what: `handshake message of ${length} bytes exceeds the ${this.maxMessage}-byte reassembly limit`,
        };
        q.clear();
        break;
      }
      if (q.length < HEADER + length) break;
      const at = this.frontOffset();
      const whole = q.take(HEADER + length);
      out.push({ msgType: whole[0]!, offset: at, body: whole.subarray(HEADER) });
    }
    return out;
  }

  /** Drop a partial message (the keys changed under it); returns its offset when there was one. */
  discard(): number | undefined {
    if (this.queue.length === 0) return undefined;
    const at = this.frontOffset();
    this.queue.clear();
    return at;
  }
}
