import type { Acl } from './acl.js';
import type { Connection, Holder } from './connection.js';
import type { LongTimer } from './timers.js';
import type { Message, QoS } from './types.js';

/** One subscription as granted (§3.8.3.1 Subscription Options). */
export interface Subscription {
  readonly filter: string;
  readonly qos: QoS;
  readonly noLocal: boolean;
  readonly retainAsPublished: boolean;
  readonly retainHandling: 0 | 1 | 2;
  readonly identifier: number | undefined;
  /** Set for `$share/{group}/{filter}`; `filter` is then the inner filter. */
  readonly group: string | undefined;
}

/** A delivery to one session: the message plus what its subscriptions decided. */
export interface Delivery {
  readonly message: Message;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly subscriptionIds: readonly number[] | undefined;
}

/** A QoS 1/2 delivery sent and not yet fully acknowledged. */
export interface Inflight {
  readonly delivery: Delivery;
  /** QoS 2 after PUBREC: we owe PUBREL, the client owes PUBCOMP (§4.3.3). */
  released: boolean;
}

/** Never expires (MQTT 5 §3.1.2.11.2: 0xFFFFFFFF). */
export const NEVER = 0xffff_ffff;

/**
 * The server side of an MQTT session (§4.1): it outlives connections when the client asked for
 * it, and holds what must survive a reconnect — subscriptions, in-flight QoS 1/2 messages,
 * the queue, and QoS 2 packet identifiers received but not yet released.
 */
export class Session implements Holder {
  readonly subscriptions = new Map<string, Subscription>();
  readonly inflight = new Map<number, Inflight>();
  readonly queue: Delivery[] = [];
  /** [MQTT-4.3.3-…] QoS 2 publications received, awaiting PUBREL. */
  readonly receivedQos2 = new Set<number>();
  connection: Connection | undefined;
  /** Publishers paused because this session's queue is full (queue_full_policy block). */
  blocked: Set<Connection> | undefined;
  /** Seconds the session survives its connection (v5 Session Expiry Interval). */
  expiryInterval: number;
  expiryTimer: LongTimer | undefined;
  /** Client's Receive Maximum (§3.1.2.11.3): our send window, capped by our own limit. */
  sendWindow = 65_535;
  protocolVersion: 3 | 4 | 5 = 4;
  username: string | undefined;
  /** The ACL of the listener the session last connected through (read checks while offline too). */
  acl: (() => Acl | undefined) | undefined;
  /** Journaled in the persistence store (the session outlives its connection and persistence is on). */
  persisted = false;
  /** Port of the listener it last connected through: finds its ACL again after a restart. */
  listenerPort = 0;
  /** When its last connection ended (for the expiry of a session restored from the store). */
  offlineSince: number | undefined;
  /** When its queue last moved (a message left it), for the stall rule of queue_full_policy block. */
  lastProgress = Date.now();
  private nextId = 1;

  constructor(
    readonly clientId: string,
    expiryInterval: number,
  ) {
    this.expiryInterval = expiryInterval;
  }

  /** A free packet identifier (§2.2.1): 1..65535, not in use by an in-flight message. */
  allocateId(): number {
    for (let tries = 0; tries < 65_535; tries++) {
      const id = this.nextId;
      this.nextId = id === 65_535 ? 1 : id + 1;
      if (!this.inflight.has(id)) return id;
    }
    throw new Error('no free packet identifier'); // unreachable: the window is at most 65,535
  }

  get online(): boolean {
    return this.connection !== undefined;
  }
}
