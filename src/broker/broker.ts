import { systemClock } from '../core/clock.js';
import { RC } from '../wire/mqtt/reason-codes.js';
import { checkAcl, identityProblem } from './acl.js';
import { Connection, releaseHolds } from './connection.js';
import { deliver, pump } from './delivery.js';
import {
  type BrokerLog,
  type BrokerOptions,
  type BrokerOptionsInput,
  type LogType,
  parseBrokerOptions,
  silentLog,
} from './options.js';
import { SecurityEvents } from './events.js';
import type { BrokerStore, Restored } from './persistence/store.js';
import { RetainedStore } from './retained.js';
import { type Delivery, NEVER, Session, type Subscription } from './session.js';
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
  /** Security decisions as typed events (auth, ACL, revocation, drops) for the report and dashboard. */
  readonly events: SecurityEvents;
  readonly startedAt: number;
  /** Sessions holding publishers (queue_full_policy block), watched for stalls by the sweeper. */
  readonly holding = new Set<Session>();
  /** The persistence store, when `persistence true`. */
  store: BrokerStore | undefined;
  private readonly willTimers = new Map<string, { timer: LongTimer; message: Message }>();
  private readonly targets = new Map<Session, Delivery>();
  private readonly sys: SysTopics | undefined;
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(options?: BrokerOptionsInput) {
    this.options = parseBrokerOptions(options);
    this.log = this.options.log ?? silentLog;
    this.events = new SecurityEvents(() => this.now());
    this.startedAt = this.now();
    if (this.options.sysInterval > 0) this.sys = new SysTopics(this, this.options.sysInterval);
    // Connect deadlines and keepalives: checked at least 4 times a second, fine enough for a
    // 1 s keepalive, and one timer however many connections there are.
    this.sweeper = setInterval(
      () => {
        const now = Date.now();
        for (const connection of this.connections) connection.checkDeadlines(now);
        if (this.store?.needsCompaction) this.store.compact(this.storeState(), true);
        for (const session of this.holding) this.checkStall(session, now);
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
   * went to, plus the matching subscriptions that No Local or the ACL left out. Overlapping subscriptions of one client give one delivery at the highest granted
   * QoS with all their identifiers (MQTT 5 §3.3.4 allows it; 3.1.1 §3.3.5 requires it).
   */
  publish(message: Message, from?: Connection): number {
    if (message.retain && this.options.retainAvailable) {
      // [MQTT-3.3.1-6] [MQTT-3.3.1-10] an empty retained message clears the topic.
      if (message.payload.length === 0) {
        if (this.retained.delete(message.topic)) this.store?.retainedDeleted(message.topic);
      } else {
        this.retained.set(message.topic, message);
        this.store?.retainedSet(message);
      }
    }
    const targets = this.targets;
    // Subscriptions that matched but were filtered out (No Local, ACL): Mosquitto still counts
    // them, so a v5 PUBACK says 0x10 "no matching subscribers" only when nothing matched at all.
    let filtered = 0;
    this.subscriptions.match(message.topic, (clientId, sub) => {
      const session = this.sessions.get(clientId);
      if (!session) return;
      // [MQTT-3.8.3-3] No Local: not back to the publisher's own subscription.
      if (
        (sub.noLocal && message.origin === clientId) ||
        (session.acl && !this.mayReceive(session, message.topic))
      ) {
        filtered++;
        return;
      }
      merge(targets, session, message, sub);
    });
    this.shared.match(message.topic, (group) => {
      // One member per group (§4.8.2), preferring a connected one; offline members queue.
      const allowed = (id: string) => {
        const s = this.sessions.get(id);
        return s !== undefined && (!s.acl || this.mayReceive(s, message.topic, false));
      };
      const member =
        group.pick((id) => this.sessions.get(id)?.online === true && allowed(id)) ?? group.pick(allowed);
      const session = member && this.sessions.get(member.clientKey);
      if (session && member) merge(targets, session, message, member.value);
    });
    const count = targets.size;
    for (const [session, delivery] of targets) deliver(this, session, delivery, from);
    targets.clear();
    return count + filtered;
  }

  /**
   * ACL read check (Mosquitto checks at queue time, per message): may this session receive a
   * message on `topic`? A denial is logged and emitted unless `report` is false.
   */
  mayReceive(session: Session, topic: string, report = true): boolean {
    const acl = session.acl?.();
    if (!acl) return true;
    const identity = { username: session.username, clientId: session.clientId };
    const decision = checkAcl(acl, identity, 'read', topic);
    if (decision.allowed) return true;
    if (report) this.aclDenied(identity, 'receive', topic, decision.rule?.line, decision.why);
    return false;
  }

  /** ACL write check for a PUBLISH or a will from `connection`. */
  mayPublish(connection: Connection, topic: string, action: 'publish' | 'will'): boolean {
    const acl = connection.peer.acl?.();
    if (!acl) return true;
    const identity = { username: connection.username, clientId: connection.clientId };
    const decision = checkAcl(acl, identity, 'write', topic);
    if (decision.allowed) return true;
    this.aclDenied(identity, action, topic, decision.rule?.line, decision.why);
    return false;
  }

  private aclDenied(
    identity: { username: string | undefined; clientId: string },
    action: 'publish' | 'receive' | 'will',
    topic: string,
    line: number | undefined,
    why: 'denied' | 'no-grant' | 'dangerous-identity',
  ): void {
    const reason =
      why === 'dangerous-identity'
        ? `identity unsafe for ACL patterns: ${identityProblem(identity) ?? 'wildcard in identity'}`
        : why === 'denied'
          ? `denied by acl_file line ${line}`
          : 'no acl_file line grants it';
    this.stats.aclDenied++;
    this.logIf(
      'notice',
      () =>
        `ACL denied ${action === 'receive' ? 'delivery' : action} on '${topic}' for client ${identity.clientId}${identity.username === undefined ? '' : ` (u'${identity.username}')`}: ${reason}.`,
    );
    this.events.emit({
      type: 'acl-denied',
      clientId: identity.clientId,
      username: identity.username,
      action,
      topic,
      line,
      reason,
    });
  }

  /** A held queue that has not moved for queueStallMs (or whose client left) lets its publishers go. */
  private checkStall(session: Session, now: number): void {
    if (!session.blocked) {
      this.holding.delete(session);
      return;
    }
    if (session.online && now - session.lastProgress <= this.options.queueStallMs) return;
    this.holding.delete(session);
    this.logIf(
      'warning',
      () =>
        `Warning: client ${session.clientId} is not draining its queue (${session.queue.length} messages): its publishers are released and further messages for it are ${this.store && session.persisted && this.store.spoolLimit > 0 ? 'spooled to disk' : 'dropped'} until it does.`,
    );
    releaseHolds(session);
  }

  /** A message the queue_full_policy 'drop' threw away: counted by the caller, logged and emitted here. */
  messageDropped(
    session: Session,
    delivery: Delivery,
    reason: 'queue-full' | 'offline-queue-full' | 'subscriber-stalled' | 'spool-full',
  ): void {
    this.logIf('notice', () => `Outgoing messages are being dropped for client ${session.clientId}.`);
    this.events.emit({
      type: 'message-dropped',
      clientId: session.clientId,
      topic: delivery.message.topic,
      reason,
    });
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
    session.offlineSince = this.now();
    this.store?.sessionOffline(session, session.offlineSince);
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
    this.store?.sessionEnded(session);
    // Publishers held for this session's full queue: nothing will drain it now.
    releaseHolds(session);
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
    this.store?.subscribed(session, key, sub);
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

  /**
   * Take over a persistence store and what it held: retained messages, and persistent sessions
   * with their subscriptions, queues, in-flight messages and QoS 2 state. A restored session is
   * offline; its expiry counts from when its last connection ended.
   */
  attachStore(store: BrokerStore, restored: Restored, aclFor: (port: number) => Session['acl']): void {
    for (const message of restored.retained) this.retained.set(message.topic, message);
    const now = this.now();
    for (const r of restored.sessions) {
      const session = new Session(r.clientId, r.expiryInterval);
      session.protocolVersion = r.protocolVersion;
      session.username = r.username;
      session.listenerPort = r.listenerPort;
      session.acl = aclFor(r.listenerPort);
      session.persisted = true;
      // Connected when the broker died: offline since the restart.
      session.offlineSince = r.offlineSince ?? now;
      for (const [id, entry] of r.inflight) session.inflight.set(id, entry);
      session.queue.push(...r.queue);
      for (const id of r.receivedQos2) session.receivedQos2.add(id);
      this.sessions.set(r.clientId, session);
      // this.store is set only after the loop: restoring journals nothing.
      for (const [key, sub] of r.subscriptions) this.addSubscription(session, key, sub);
      if (session.expiryInterval === NEVER) continue;
      const left = session.expiryInterval * 1000 - (now - session.offlineSince);
      if (left <= 0) {
        // Expired while the broker was down: gone, and left out of the snapshot below.
        this.stats.expired++;
        this.removeSession(session);
        continue;
      }
      session.expiryTimer = setLongTimeout(() => {
        this.stats.expired++;
        this.removeSession(session);
      }, left);
    }
    this.store = store;
    store.keepSpoolsOf(new Set(this.sessions.keys()));
    // A clean snapshot: damage found in recovery is not met again, and the journal starts small.
    store.compact(this.storeState(), true);
  }

  storeState(): { retained: Iterable<Message>; sessions: Iterable<Session> } {
    const retained = [...this.retained.entries()].map(([, m]) => m);
    return { retained, sessions: [...this.sessions.values()] };
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
    this.store?.close(this.storeState());
    this.store = undefined;
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
