import type { Packet } from 'mqtt-packet';
import { MqttDecoder, type ProtocolVersion } from '../wire/mqtt/decoder.js';
import { encodePacket } from '../wire/mqtt/encoder.js';
import { RC } from '../wire/mqtt/reason-codes.js';
import type { Broker } from './broker.js';
import { dispatch } from './handlers/index.js';
import type { Session } from './session.js';
import type { Message, Peer, Transport } from './types.js';

/** A will waiting for its connection to end (§3.1.2.5, §3.1.3.2). */
export interface PendingWill {
  readonly message: Message;
  /** v5 Will Delay Interval, seconds. */
  readonly delay: number;
}

type State = 'awaiting-connect' | 'connected' | 'closed';

/** Something that can hold publishers paused: a congested connection or a full session queue. */
export interface Holder {
  blocked: Set<Connection> | undefined;
}

/** Let go of every publisher `holder` paused. */
export function releaseHolds(holder: Holder): void {
  const blocked = holder.blocked;
  if (!blocked) return;
  holder.blocked = undefined;
  for (const publisher of blocked) publisher.release(holder);
}

/**
 * One network connection: bytes in through the bounded decoder, packets to the handlers,
 * packets out through a per-tick write batch. It knows nothing of TLS or WebSocket: the
 * listener made the transport and vouched for the peer.
 */
export class Connection {
  state: State = 'awaiting-connect';
  session: Session | undefined;
  clientId = '';
  username: string | undefined;
  version: ProtocolVersion = 4;
  keepalive = 0;
  will: PendingWill | undefined;
  /** Topic aliases the client set on this connection (§3.3.2.3.4); they do not outlive it. */
  topicAliases: Map<number, string> | undefined;
  /** Largest packet the client accepts (v5 Maximum Packet Size); we drop what exceeds it. */
  maxOutgoingPacket = Number.POSITIVE_INFINITY;
  /** Publishers paused because this connection's socket is full (backpressure). */
  // Created on first use: most connections never need them, and thousands sit idle.
  blocked: Set<Connection> | undefined;
  /** What currently holds this connection paused (see holdFor). */
  private holds: Set<Holder> | undefined;
  private readonly decoder: MqttDecoder;
  private out: Buffer[] = [];
  private outBytes = 0;
  private flushScheduled = false;
  private lastSeen = Date.now();
  private readonly openedAt = this.lastSeen;
  /** Set when the client sent DISCONNECT: no will unless it asked for one (v5 0x04). */
  gracefulDisconnect = false;
  congested = false;

  constructor(
    readonly broker: Broker,
    readonly transport: Transport,
    readonly peer: Peer,
  ) {
    this.decoder = new MqttDecoder({ maxPacketSize: broker.options.maxPacketSize });
    transport.setNoDelay?.(true);
    transport.on('data', (chunk: Buffer) => this.onData(chunk));
    transport.on('drain', () => this.onDrain());
    transport.on('error', () => this.destroy('socket error'));
    transport.on('close', () => this.destroy('closed its connection'));
    // MQTT has no half-close: the peer's end of stream ends the connection. The WebSocket stream
    // (ws createWebSocketStream: emitClose false) never emits 'close' for a peer that drops, so
    // without this the connection, its session and its will [MQTT-3.1.2-8] were kept forever.
    transport.on('end', () => this.destroy('closed its connection'));
  }

  /**
   * The broker's sweep calls this a few times a second (one timer for all connections, not two
   * per connection: thousands of idle devices each holding timers cost memory).
   */
  checkDeadlines(now: number): void {
    if (this.state === 'awaiting-connect') {
      // [MQTT-3.1.0-1] a connection that sends nothing, or not CONNECT, must not linger.
      if (now - this.openedAt > this.broker.options.connectTimeoutMs) this.destroy('sent no CONNECT in time');
    } else if (this.state === 'connected' && this.keepalive > 0 && this.holds === undefined) {
      // [MQTT-3.1.2-24] one and a half keepalive periods without a packet: disconnect.
      if (now - this.lastSeen > this.keepalive * 1500) {
        this.broker.logIf('notice', () => `Client ${this.label} has exceeded timeout, disconnecting.`);
        this.disconnect(RC.keepAliveTimeout);
      }
    }
  }

  get label(): string {
    return this.clientId || '<unknown>';
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.lastSeen = Date.now();
    this.broker.stats.bytesReceived += chunk.length;
    let failure;
    try {
      failure = this.decoder.push(chunk, (packet) => {
        if (this.state !== 'closed') dispatch(this, packet);
      });
    } catch (err) {
      // A bug in a handler must cost one connection, never the broker.
      this.broker.logIf('error', () => `Error: client ${this.label}: ${(err as Error).stack ?? String(err)}`);
      this.disconnect(RC.implementationSpecificError);
      return;
    }
    if (failure?.code === 'ERR_MQTT_PROTOCOL_VERSION' && this.state === 'awaiting-connect') {
      // [MQTT-3.1.2-2] CONNACK 0x01 (unacceptable protocol version), in 3.1.1 form: the client's
      // level is unknown, so the oldest encoding it can read.
      this.broker.stats.refused++;
      this.write(Buffer.from([0x20, 0x02, 0x00, 0x01]));
      this.end();
      return;
    }
    if (failure) {
      this.broker.logIf('notice', () => `Client ${this.label} disconnected: ${failure.message}.`);
      this.disconnect(failure.reasonCode);
    }
  }

  /** Called by the CONNECT handler once the client is accepted. */
  accepted(version: ProtocolVersion, keepalive: number): void {
    this.version = version;
    this.decoder.setProtocolVersion(version);
    this.state = 'connected';
    this.keepalive = keepalive;
    this.lastSeen = Date.now();
  }

  /** Queue a packet; everything queued in this tick goes out in one write (one TLS record). */
  send(packet: Packet): void {
    this.write(encodePacket(packet, this.version));
  }

  write(bytes: Buffer): void {
    if (this.state === 'closed') return;
    this.out.push(bytes);
    this.outBytes += bytes.length;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.state === 'closed' || this.out.length === 0) return;
    // Nothing leaves before the store has the records it depends on (a PUBACK after its message).
    this.broker.store?.flush();
    const data = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out, this.outBytes);
    this.broker.stats.bytesSent += this.outBytes;
    this.out = [];
    this.outBytes = 0;
    if (!this.transport.write(data)) this.congested = true;
  }

  private onDrain(): void {
    this.congested = false;
    releaseHolds(this);
  }

  /**
   * Backpressure: stop reading this publisher until `holder` (a subscriber connection whose
   * socket is full, or a session whose queue is full) lets go. A publisher may be held by
   * several at once; it is read again only when the last one releases it.
   */
  holdFor(holder: Holder): void {
    if (holder === this || this.state === 'closed') return;
    (holder.blocked ??= new Set()).add(this);
    const holds = (this.holds ??= new Set());
    if (holds.size === 0) this.transport.pause();
    holds.add(holder);
  }

  /** `holder` no longer needs this publisher paused. */
  release(holder: Holder): void {
    if (!this.holds?.delete(holder) || this.holds.size > 0) return;
    this.holds = undefined;
    // Time spent held by us is not the client's silence: keepalive counts from now.
    this.lastSeen = Date.now();
    if (this.state !== 'closed') this.transport.resume();
  }

  get held(): boolean {
    return this.holds !== undefined;
  }

  /** Send DISCONNECT with a reason (v5 only: v3.1.1 has none) and close. */
  disconnect(reasonCode: number): void {
    if (this.state === 'closed') return;
    if (this.version === 5 && this.state === 'connected') {
      this.send({ cmd: 'disconnect', reasonCode });
    }
    this.end();
  }

  /** Flush what is queued, then close the transport. */
  end(): void {
    if (this.state === 'closed') return;
    this.flush();
    this.transport.end();
    // A peer that never reads or never closes must not hold the socket open for ever.
    setTimeout(() => this.transport.destroy(), 5_000).unref();
    this.destroy(undefined);
  }

  destroy(why: string | undefined): void {
    if (this.state === 'closed') return;
    const wasConnected = this.state === 'connected';
    this.state = 'closed';
    this.out = [];
    releaseHolds(this);
    if (this.holds) for (const holder of this.holds) holder.blocked?.delete(this);
    this.holds = undefined;
    if (!this.transport.destroyed) {
      // Let an already-queued end() flush; a hard error destroys at once.
      if (why !== undefined) this.transport.destroy();
    }
    this.broker.connectionClosed(this, wasConnected, why);
  }
}
