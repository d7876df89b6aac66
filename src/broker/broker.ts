import { systemClock } from '../core/clock.js';
import { RC } from '../wire/mqtt/reason-codes.js';
import { Connection } from './connection.js';
import { deliver, pump } from './delivery.js';
import {
  type BrokerLog,
  type BrokerOptions,
  type BrokerOptionsInput,
  type LogType,
  parseBrokerOptions,
  silentLog,
} from './options.js';
import { RetainedStore } from './retained.js';
import { type Delivery, NEVER, type Session, type Subscription } from './session.js';
import { SharedSubscriptions } from './shared-subscriptions.js';
import { BrokerStats } from './stats.js';
import { SubscriptionTrie } from './subscriptions.js';
import { SysTopics } from './sys.js';
import { type LongTimer, setLongTimeout } from './timers.js';
import type { Message, Peer, QoS, Transport } from './types.js';

/**
 * The MQTT 3.1.1 / 5.0 broker core. Transport-agnostic: a listener (TCP, TLS, WebSocket)
 * accepts a connection, establishes who the peer is, and calls `handle(transport, peer)`.
 */
export class Broker {
  readonly options: BrokerOptions;
  readonly log: BrokerLog;
  readonly stats = new BrokerStats();
  readonly sessions = new Map<string, Session>();
  readonly subscriptions = new SubscriptionTrie<Subscription>();
  readonly shared = new SharedSubscriptions<Subscription>();
  readonly retained = new RetainedStore<Message>();
  readonly connections = new Set<Connection>();
  readonly startedAt: number;
  private readonly willTimers = new Map<string, { timer: LongTimer; message: Message }>();
  private readonly targets = new Map<Session, Delivery>();
  private readonly sys: SysTopics | undefined;
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(options?: BrokerOptionsInput) {
    this.options = parseBrokerOptions(options);
    this.log = this.options.log ?? silentLog;
    this.startedAt = this.now();
    if (this.options.sysInterval > 0) this.sys = new SysTopics(this, this.options.sysInterval);
    // Connect deadlines and keepalives: checked at least 4 times a second, fine enough for a
    // 1 s keepalive, and one timer however many connections there are.
    this.sweeper = setInterval(
      () => {
        const now = Date.now();
        for (const connection of this.connections) connection.checkDeadlines(now);
      },
      Math.min(250, Math.max(10, this.options.connectTimeoutMs / 4)),
    );
    this.sweeper.unref();
  }

  now(): number {
    return (this.options.clock ?? systemClock).now().getTime();
  }

  handle(transport: Transport, peer: Peer): Connection {
    const connection = new Connection(this, transport, peer);
    if (this.closed) {
      connection.end();
      return connection;
    }
    this.connections.add(connection);
    return connection;
  }

  logIf(type: LogType, message: () => string): void {
    if (this.log.enabled(type)) this.log.log(type, message());
  }

  /**
   * Route an application message to every matching session; returns how many sessions it
   * went to. Overlapping subscriptions of one client give one delivery at the highest granted
   * QoS with all their identifiers (MQTT 5 §3.3.4 allows it; 3.1.1 §3.3.5 requires it).
   */
  publish(message: Message, from?: Connection): number {
    if (message.retain && this.options.retainAvailable) {
      // [MQTT-3.3.1-6] [MQTT-3.3.1-10] an empty retained message clears the topic.
      if (message.payload.length === 0) this.retained.delete(message.topic);
      else this.retained.set(message.topic, message);
    }
    const targets = this.targets;
    this.subscriptions.match(message.topic, (clientId, sub) => {
      const session = this.sessions.get(clientId);
      if (!session) return;
      // [MQTT-3.8.3-3] No Local: not back to the publisher's own subscription.
      if (sub.noLocal && message.origin === clientId) return;
      merge(targets, session, message, sub);
    });
    this.shared.match(message.topic, (group) => {
      // One member per group (§4.8.2), preferring a connected one; offline members queue.
      const member =
        group.pick((id) => this.sessions.get(id)?.online === true) ??
        group.pick((id) => this.sessions.has(id));
      const session = member && this.sessions.get(member.clientKey);
      if (session && member) merge(targets, session, message, member.value);
    });
    const count = targets.size;
    for (const [session, delivery] of targets) deliver(this, session, delivery, from);
    targets.clear();
    return count;
  }

  /** Publish a will now or after its delay; a reconnect within the delay cancels it. */
  scheduleWill(clientId: string, message: Message, delaySeconds: number): void {
    if (delaySeconds <= 0) {
      this.publish(message);
      return;
    }
    const timer = setLongTimeout(() => {
      this.willTimers.delete(clientId);
      this.publish(message);
    }, delaySeconds * 1000);
    this.willTimers.set(clientId, { timer, message });
  }

  /** [MQTT-3.1.3-9] a new connection for the session before the delay: no will. */
  cancelWill(clientId: string): void {
    const pending = this.willTimers.get(clientId);
    if (pending) {
      pending.timer.clear();
      this.willTimers.delete(clientId);
    }
  }

  connectionClosed(connection: Connection, wasConnected: boolean, why: string | undefined): void {
    this.connections.delete(connection);
    const session = connection.session;
    if (!wasConnected || !session || session.connection !== connection) return;
    this.stats.connected--;
    session.connection = undefined;
    if (why !== undefined && this.options.connectionMessages) {
      this.logIf('notice', () => `Client ${connection.clientId} ${why}.`);
    }
    if (connection.will && !connection.gracefulDisconnect) {
      this.scheduleWill(
        session.clientId,
        connection.will.message,
        Math.min(connection.will.delay, session.expiryInterval),
      );
    }
    connection.will = undefined;
    this.endOrExpire(session);
  }

  private endOrExpire(session: Session): void {
    if (session.expiryInterval === 0) {
      this.removeSession(session);
      return;
    }
    if (session.expiryInterval === NEVER) return;
    session.expiryTimer = setLongTimeout(() => {
      this.stats.expired++;
      this.removeSession(session);
    }, session.expiryInterval * 1000);
  }

  removeSession(session: Session): void {
    session.expiryTimer?.clear();
    if (this.sessions.get(session.clientId) !== session) return;
    this.sessions.delete(session.clientId);
    for (const sub of session.subscriptions.values()) this.dropSubscription(session, sub);
    session.subscriptions.clear();
    // A will still waiting on its delay goes out when the session ends (§3.1.3.2).
    const pending = this.willTimers.get(session.clientId);
    if (pending) {
      this.cancelWill(session.clientId);
      this.publish(pending.message);
    }
  }

  addSubscription(session: Session, key: string, sub: Subscription): boolean {
    const existed = session.subscriptions.has(key);
    session.subscriptions.set(key, sub);
    if (sub.group !== undefined) this.shared.add(sub.group, sub.filter, session.clientId, sub);
    else this.subscriptions.add(sub.filter, session.clientId, sub);
    return !existed;
  }

  dropSubscription(session: Session, sub: Subscription): void {
    if (sub.group !== undefined) this.shared.remove(sub.group, sub.filter, session.clientId);
    else this.subscriptions.remove(sub.filter, session.clientId);
  }

  resume(session: Session): void {
    pump(this, session);
  }

  /** Stop: every client is disconnected (v5: Server shutting down), timers cleared. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    this.sys?.stop();
    for (const pending of this.willTimers.values()) pending.timer.clear();
    this.willTimers.clear();
    for (const connection of [...this.connections]) connection.disconnect(RC.serverShuttingDown);
    for (const session of this.sessions.values()) session.expiryTimer?.clear();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function merge(targets: Map<Session, Delivery>, session: Session, message: Message, sub: Subscription): void {
  const qos = Math.min(message.qos, sub.qos) as QoS;
  // [MQTT-3.3.1-9] 3.1.1 clears RETAIN on normal forwarding; v5 keeps it if Retain As Published.
  const retain = sub.retainAsPublished && message.retain;
  const prior = targets.get(session);
  if (!prior) {
    targets.set(session, {
      message,
      qos,
      retain,
      subscriptionIds: sub.identifier === undefined ? undefined : [sub.identifier],
    });
    return;
  }
  const ids = prior.subscriptionIds ?? [];
  targets.set(session, {
    message,
    qos: Math.max(prior.qos, qos) as QoS,
    retain: prior.retain || retain,
    subscriptionIds: sub.identifier === undefined ? prior.subscriptionIds : [...ids, sub.identifier],
  });
}
