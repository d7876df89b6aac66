// Fast load-generator clients: a counting subscriber and a batching publisher, both on raw TLS
// sockets with the framer of wire.ts.
import type { SecureContext } from 'node:tls';
import {
  type Conn,
  PUBACK,
  PUBLISH,
  connectMqtt,
  encodePublishes,
  payloadOffset,
  pubacks,
  subscribe,
  writeAll,
} from './wire.js';
import { type Scope, nowMs, sleep } from './util.js';

export interface Env {
  readonly port: number;
  readonly context: SecureContext;
  readonly scope: Scope;
}

/** Subscribes, counts PUBLISH packets exactly and acknowledges QoS 1 ones (one write per chunk). */
export class Subscriber {
  count = 0;
  /** When the latest PUBLISH arrived (ms, monotonic). */
  lastAt = 0;
  firstAt = 0;

  private constructor(
    readonly conn: Conn,
    private readonly onPayload?: (buf: Buffer, offset: number, end: number) => void,
  ) {}

  static async open(
    env: Env,
    clientId: string,
    topic: string,
    qos: 0 | 1,
    onPayload?: (buf: Buffer, offset: number, end: number) => void,
  ): Promise<Subscriber> {
    const conn = await connectMqtt({ ...env, clientId });
    const sub = new Subscriber(conn, onPayload);
    const ids: number[] = [];
    conn.socket.removeAllListeners('data');
    conn.socket.on('data', (d: Buffer) => {
      conn.reader.push(d);
      if (ids.length > 0) {
        conn.socket.write(pubacks(ids));
        ids.length = 0;
      }
    });
    await subscribe(conn, topic, qos, (type, flags, buf, start, end) => {
      if (type !== PUBLISH) return;
      const t = nowMs();
      if (sub.count === 0) sub.firstAt = t;
      sub.count++;
      sub.lastAt = t;
      if ((flags & 0x06) !== 0) ids.push(buf.readUInt16BE(start + 2 + buf.readUInt16BE(start)));
      sub.onPayload?.(buf, payloadOffset(flags, buf, start), end);
    });
    return sub;
  }
}

/**
 * Wait until every subscriber has `target` messages, or — once `sent` says the publisher is done —
 * until no message has arrived for `idleMs` (then the shortfall is loss).
 */
export async function waitReceived(
  subs: readonly Subscriber[],
  target: number,
  sent: () => boolean,
  idleMs = 2000,
): Promise<void> {
  let doneAt = 0;
  for (;;) {
    if (subs.every((s) => s.count >= target)) return;
    const closed = subs.find((s) => s.conn.socket.destroyed);
    if (closed) throw new Error(`a subscriber's connection closed after ${closed.count} messages`);
    if (sent()) {
      doneAt ||= nowMs();
      const last = Math.max(doneAt, ...subs.map((s) => s.lastAt));
      if (nowMs() - last > idleMs) return;
    }
    await sleep(20);
  }
}

export interface PublishPlan {
  readonly topic: string;
  readonly count: number;
  readonly qos: 0 | 1;
  readonly payloadSize: number;
  /** QoS 1: at most this many PUBLISH packets without PUBACK. */
  readonly window: number;
}

/**
 * The batching publisher: every PUBLISH is encoded before the clock starts and written in large
 * chunks (many packets per TLS record). QoS 0 streams with backpressure; QoS 1 keeps at most
 * `window` packets unacknowledged and refills as each chunk of PUBACKs arrives.
 */
export class BatchPublisher {
  private readonly packets: { buf: Buffer; size: number };
  acked = 0;
  sent = 0;
  done = false;

  private constructor(
    readonly conn: Conn,
    private readonly plan: PublishPlan,
  ) {
    this.packets = encodePublishes(plan.topic, plan.count, plan.qos, plan.payloadSize);
  }

  static async open(env: Env, clientId: string, plan: PublishPlan): Promise<BatchPublisher> {
    return new BatchPublisher(await connectMqtt({ ...env, clientId }), plan);
  }

  /** Resolves when all packets are written (QoS 0) or acknowledged (QoS 1). */
  run(): Promise<void> {
    return this.plan.qos === 0 ? this.stream() : this.windowed();
  }

  private async stream(): Promise<void> {
    const { buf, size } = this.packets;
    const perChunk = Math.max(1, Math.floor(65_536 / size));
    for (let i = 0; i < this.plan.count; i += perChunk) {
      const j = Math.min(this.plan.count, i + perChunk);
      await writeAll(this.conn.socket, buf.subarray(i * size, j * size));
      this.sent = j;
    }
    this.done = true;
  }

  private windowed(): Promise<void> {
    const { buf, size } = this.packets;
    const { count, window } = this.plan;
    const { socket, reader } = this.conn;
    return new Promise((resolve, reject) => {
      const refill = () => {
        const upTo = Math.min(count, this.acked + window);
        if (upTo > this.sent) {
          socket.write(buf.subarray(this.sent * size, upTo * size));
          this.sent = upTo;
        }
      };
      reader.handler = (type) => {
        if (type === PUBACK) this.acked++;
      };
      socket.removeAllListeners('data');
      socket.on('data', (d: Buffer) => {
        reader.push(d);
        if (this.acked >= count) {
          this.done = true;
          resolve();
        } else refill();
      });
      socket.once('close', () => reject(new Error(`publisher closed after ${this.acked} PUBACKs`)));
      refill();
    });
  }
}
