import type { Subscription } from '../session.js';
import type { MessageProperties, QoS } from '../types.js';

/**
 * The journal's records. The store is the sequence of them: replaying it in order rebuilds
 * retained messages and persistent sessions with their subscriptions, queues and in-flight
 * messages. A snapshot (compaction) is written with the same records.
 */
export type StoreRecord =
  | {
      readonly kind: 'message';
      readonly id: number;
      readonly topic: string;
      readonly payload: Buffer;
      readonly qos: QoS;
      readonly retain: boolean;
      readonly expiresAt: number | undefined;
      readonly origin: string | undefined;
      readonly properties: MessageProperties | undefined;
    }
  | { readonly kind: 'retain-set'; readonly messageId: number }
  | { readonly kind: 'retain-delete'; readonly topic: string }
  | {
      readonly kind: 'session';
      readonly clientId: string;
      readonly expiryInterval: number;
      readonly protocolVersion: 3 | 4 | 5;
      readonly username: string | undefined;
      readonly listenerPort: number;
    }
  | { readonly kind: 'session-offline'; readonly clientId: string; readonly at: number }
  | { readonly kind: 'session-end'; readonly clientId: string }
  | ({ readonly kind: 'subscribe'; readonly clientId: string; readonly key: string } & Subscription)
  | { readonly kind: 'unsubscribe'; readonly clientId: string; readonly key: string }
  | {
      /** Appended to the session's queue. */
      readonly kind: 'queue';
      readonly clientId: string;
      readonly messageId: number;
      readonly qos: QoS;
      readonly retain: boolean;
      readonly subscriptionIds: readonly number[] | undefined;
    }
  | {
      /** Sent at once, in flight under `packetId` (no queue). */
      readonly kind: 'send';
      readonly clientId: string;
      readonly packetId: number;
      readonly messageId: number;
      readonly qos: QoS;
      readonly retain: boolean;
      readonly subscriptionIds: readonly number[] | undefined;
    }
  /** The head of the queue went in flight under `packetId`. */
  | { readonly kind: 'dequeue-inflight'; readonly clientId: string; readonly packetId: number }
  /** The head of the queue was dropped (expired) or sent at QoS 0. */
  | { readonly kind: 'dequeue-drop'; readonly clientId: string }
  /** PUBREC received for an outgoing QoS 2 message: PUBREL is owed. */
  | { readonly kind: 'inflight-released'; readonly clientId: string; readonly packetId: number }
  /** PUBACK or PUBCOMP received, or the message abandoned: it leaves the session. */
  | { readonly kind: 'inflight-done'; readonly clientId: string; readonly packetId: number }
  | { readonly kind: 'qos2-received'; readonly clientId: string; readonly packetId: number }
  | { readonly kind: 'qos2-released'; readonly clientId: string; readonly packetId: number }
  /** First record of a session's spool file: whose it is. */
  | { readonly kind: 'spool-header'; readonly clientId: string }
  | {
      /** In a spool file: one message beyond the memory queue of an absent session, in order. */
      readonly kind: 'spooled';
      /** Per session, from 0, never reused while the session lives. */
      readonly seq: number;
      readonly topic: string;
      readonly payload: Buffer;
      readonly qos: QoS;
      readonly retain: boolean;
      readonly expiresAt: number | undefined;
      readonly origin: string | undefined;
      readonly properties: MessageProperties | undefined;
      /** The delivery: QoS granted, RETAIN as sent, subscription identifiers. */
      readonly deliveryQos: QoS;
      readonly deliveryRetain: boolean;
      readonly subscriptionIds: readonly number[] | undefined;
    }
  | {
      /**
       * In the journal: spool entry `seq` moved to the tail of the session's queue as this
       * delivery. One record, so the move is all or nothing: the entry is in the queue or still
       * in the spool, never both, never neither.
       */
      readonly kind: 'unspool';
      readonly clientId: string;
      readonly seq: number;
      readonly messageId: number;
      readonly qos: QoS;
      readonly retain: boolean;
      readonly subscriptionIds: readonly number[] | undefined;
    }
  /** In a snapshot: the session's spool entries below `seq` have been moved out of it. */
  | { readonly kind: 'spool-head'; readonly clientId: string; readonly seq: number };

export type RecordKind = StoreRecord['kind'];

const KIND_CODES: Readonly<Record<RecordKind, number>> = {
  message: 1,
  'retain-set': 2,
  'retain-delete': 3,
  session: 4,
  'session-offline': 5,
  'session-end': 6,
  subscribe: 7,
  unsubscribe: 8,
  queue: 9,
  send: 10,
  'dequeue-inflight': 11,
  'dequeue-drop': 12,
  'inflight-released': 13,
  'inflight-done': 14,
  'qos2-received': 15,
  'qos2-released': 16,
  'spool-header': 17,
  spooled: 18,
  unspool: 19,
  'spool-head': 20,
};
const KINDS_BY_CODE = new Map(Object.entries(KIND_CODES).map(([k, v]) => [v, k as RecordKind]));

export function kindCode(kind: RecordKind): number {
  return KIND_CODES[kind];
}

export function kindOf(code: number): RecordKind | undefined {
  return KINDS_BY_CODE.get(code);
}

/** Appends fields to a growable buffer. */
export class FieldWriter {
  #buf = Buffer.allocUnsafe(256);
  #len = 0;

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#len + n));
    this.#buf.copy(next, 0, 0, this.#len);
    this.#buf = next;
  }

  u8(v: number): this {
    this.#room(1);
    this.#buf[this.#len++] = v;
    return this;
  }

  u32(v: number): this {
    this.#room(4);
    this.#buf.writeUInt32BE(v >>> 0, this.#len);
    this.#len += 4;
    return this;
  }

  f64(v: number): this {
    this.#room(8);
    this.#buf.writeDoubleBE(v, this.#len);
    this.#len += 8;
    return this;
  }

  bytes(v: Uint8Array): this {
    this.u32(v.length);
    this.#room(v.length);
    this.#buf.set(v, this.#len);
    this.#len += v.length;
    return this;
  }

  /** Bytes without a length prefix. */
  raw(v: Uint8Array): this {
    this.#room(v.length);
    this.#buf.set(v, this.#len);
    this.#len += v.length;
    return this;
  }

  str(v: string): this {
    return this.bytes(Buffer.from(v, 'utf8'));
  }

  optStr(v: string | undefined): this {
    return v === undefined ? this.u8(0) : this.u8(1).str(v);
  }

  ids(v: readonly number[] | undefined): this {
    if (v === undefined) return this.u32(0xffff_ffff);
    this.u32(v.length);
    for (const id of v) this.u32(id);
    return this;
  }

  /** Start over, keeping the allocation. */
  reset(): void {
    this.#len = 0;
  }

  get length(): number {
    return this.#len;
  }

  view(): Buffer {
    return this.#buf.subarray(0, this.#len);
  }
}

/** Reads fields back; any overrun throws, which the journal treats as a damaged record. */
export class FieldReader {
  #pos = 0;

  constructor(private readonly buf: Buffer) {}

  #need(n: number): void {
    if (this.#pos + n > this.buf.length) throw new RangeError('record body too short');
  }

  u8(): number {
    this.#need(1);
    return this.buf[this.#pos++]!;
  }

  u32(): number {
    this.#need(4);
    const v = this.buf.readUInt32BE(this.#pos);
    this.#pos += 4;
    return v;
  }

  f64(): number {
    this.#need(8);
    const v = this.buf.readDoubleBE(this.#pos);
    this.#pos += 8;
    return v;
  }

  bytes(): Buffer {
    const n = this.u32();
    this.#need(n);
    // A copy: the journal's read buffer is released after recovery.
    const v = Buffer.from(this.buf.subarray(this.#pos, this.#pos + n));
    this.#pos += n;
    return v;
  }

  str(): string {
    const n = this.u32();
    this.#need(n);
    const v = this.buf.toString('utf8', this.#pos, this.#pos + n);
    this.#pos += n;
    return v;
  }

  optStr(): string | undefined {
    return this.u8() === 0 ? undefined : this.str();
  }

  ids(): number[] | undefined {
    const n = this.u32();
    if (n === 0xffff_ffff) return undefined;
    if (n > 268_435_455) throw new RangeError('subscription identifier count out of range');
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.u32());
    return out;
  }

  end(): void {
    if (this.#pos !== this.buf.length) throw new RangeError('record body has trailing bytes');
  }
}
