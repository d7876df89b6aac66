import type { Delivery, Session, Subscription } from '../session.js';
import type { Message } from '../types.js';
import { type FsyncPolicy, Journal, type Recovery } from './journal.js';
import type { StoreRecord } from './records.js';

/** Compact once the journal has grown by this much and by more than twice the last snapshot. */
const COMPACT_AFTER_BYTES = 16 * 1024 * 1024;

/** What the broker hands the store to rebuild itself, and what it reads back for a snapshot. */
export interface StoreState {
  readonly retained: Iterable<Message>;
  readonly sessions: Iterable<Session>;
}

export interface RestoredSession {
  readonly clientId: string;
  readonly expiryInterval: number;
  readonly protocolVersion: 3 | 4 | 5;
  readonly username: string | undefined;
  readonly listenerPort: number;
  /** When its last connection ended; undefined if it was connected when the broker died. */
  readonly offlineSince: number | undefined;
  readonly subscriptions: Map<string, Subscription>;
  readonly queue: Delivery[];
  readonly inflight: Map<number, { delivery: Delivery; released: boolean }>;
  readonly receivedQos2: Set<number>;
}

export interface Restored {
  readonly retained: Message[];
  readonly sessions: RestoredSession[];
  readonly recovery: Recovery;
}

/**
 * Durable broker state on an append-only journal: retained messages and persistent sessions
 * (subscriptions, queued and in-flight QoS 1/2 messages, QoS 2 identifiers awaiting PUBREL).
 * The broker calls a hook for each change; the record is written before any acknowledgement
 * that depends on it leaves (the broker flushes the store before every socket write).
 * Only sessions that outlive their connection are journaled; a clean session costs nothing.
 */
export class BrokerStore {
  readonly #journal: Journal;
  readonly #ids = new WeakMap<Message, number>();
  #nextId = 1;
  #snapshotBytes = 0;

  private constructor(journal: Journal) {
    this.#journal = journal;
  }

  /** Open (and lock) the store and rebuild what it holds. */
  static open(path: string, fsync: FsyncPolicy): { store: BrokerStore; restored: Restored } {
    const { journal, recovery } = Journal.open(path, fsync);
    const store = new BrokerStore(journal);
    const restored = store.#replay(recovery);
    return { store, restored };
  }

  get path(): string {
    return this.#journal.path;
  }

  // ---- hooks the broker calls -------------------------------------------------------------

  sessionSaved(session: Session, listenerPort: number): void {
    if (session.expiryInterval === 0) {
      if (session.persisted) this.sessionEnded(session);
      return;
    }
    session.persisted = true;
    this.#append({
      kind: 'session',
      clientId: session.clientId,
      expiryInterval: session.expiryInterval,
      protocolVersion: session.protocolVersion,
      username: session.username,
      listenerPort,
    });
  }

  sessionOffline(session: Session, at: number): void {
    if (session.persisted) this.#append({ kind: 'session-offline', clientId: session.clientId, at });
  }

  sessionEnded(session: Session): void {
    if (!session.persisted) return;
    session.persisted = false;
    this.#append({ kind: 'session-end', clientId: session.clientId });
  }

  subscribed(session: Session, key: string, sub: Subscription): void {
    if (session.persisted) this.#append(subscribeRecord(session.clientId, key, sub));
  }

  unsubscribed(session: Session, key: string): void {
    if (session.persisted) this.#append({ kind: 'unsubscribe', clientId: session.clientId, key });
  }

  retainedSet(message: Message): void {
    this.#append({ kind: 'retain-set', messageId: this.#ref(message) });
  }

  retainedDeleted(topic: string): void {
    this.#append({ kind: 'retain-delete', topic });
  }

  queued(session: Session, d: Delivery): void {
    if (!session.persisted) return;
    const messageId = this.#ref(d.message);
    this.#append({ kind: 'queue', clientId: session.clientId, messageId, ...deliveryFields(d) });
  }

  sent(session: Session, packetId: number, d: Delivery): void {
    if (!session.persisted) return;
    const messageId = this.#ref(d.message);
    this.#append({ kind: 'send', clientId: session.clientId, packetId, messageId, ...deliveryFields(d) });
  }

  dequeuedInflight(session: Session, packetId: number): void {
    if (session.persisted) this.#append({ kind: 'dequeue-inflight', clientId: session.clientId, packetId });
  }

  dequeuedDropped(session: Session): void {
    if (session.persisted) this.#append({ kind: 'dequeue-drop', clientId: session.clientId });
  }

  released(session: Session, packetId: number): void {
    if (session.persisted) this.#append({ kind: 'inflight-released', clientId: session.clientId, packetId });
  }

  done(session: Session, packetId: number): void {
    if (session.persisted) this.#append({ kind: 'inflight-done', clientId: session.clientId, packetId });
  }

  qos2Received(session: Session, packetId: number): void {
    if (session.persisted) this.#append({ kind: 'qos2-received', clientId: session.clientId, packetId });
  }

  qos2Released(session: Session, packetId: number): void {
    if (session.persisted) this.#append({ kind: 'qos2-released', clientId: session.clientId, packetId });
  }

  // ---- durability ------------------------------------------------------------------------

  /** Write pending records; the broker calls this before any packet leaves. */
  flush(): void {
    this.#journal.flushSync();
  }

  /** The journal has grown enough that a snapshot would shrink it. */
  get needsCompaction(): boolean {
    const grown = this.#journal.appendedBytes;
    return grown >= COMPACT_AFTER_BYTES && grown >= 2 * this.#snapshotBytes;
  }

  /** Rewrite the journal as a snapshot of `state` when it has grown enough (or when forced). */
  compact(state: StoreState, force = false): void {
    const grown = this.#journal.appendedBytes;
    if (!force && !this.needsCompaction) return;
    this.#journal.rewrite(this.#snapshot(state));
    this.#snapshotBytes = Math.max(grown, 1);
  }

  close(state: StoreState): void {
    this.compact(state, true);
    this.#journal.close();
  }

  #append(record: StoreRecord): void {
    this.#journal.append(record);
  }

  /** The message's record id, writing the message itself the first time it is referenced. */
  #ref(message: Message): number {
    let id = this.#ids.get(message);
    if (id !== undefined) return id;
    id = this.#nextId++;
    this.#ids.set(message, id);
    this.#append(messageRecord(id, message));
    return id;
  }

  *#snapshot(state: StoreState): Generator<StoreRecord> {
    const written = new Set<number>();
    const ref = function* (this: BrokerStore, message: Message): Generator<StoreRecord, number> {
      let id = this.#ids.get(message);
      if (id === undefined) {
        id = this.#nextId++;
        this.#ids.set(message, id);
      }
      if (!written.has(id)) {
        written.add(id);
        yield messageRecord(id, message);
      }
      return id;
    }.bind(this);
    for (const message of state.retained) {
      const messageId = yield* ref(message);
      yield { kind: 'retain-set', messageId };
    }
    for (const session of state.sessions) {
      if (!session.persisted) continue;
      const clientId = session.clientId;
      yield {
        kind: 'session',
        clientId,
        expiryInterval: session.expiryInterval,
        protocolVersion: session.protocolVersion,
        username: session.username,
        listenerPort: session.listenerPort,
      };
      if (!session.online && session.offlineSince !== undefined) {
        yield { kind: 'session-offline', clientId, at: session.offlineSince };
      }
      for (const [key, sub] of session.subscriptions) yield subscribeRecord(clientId, key, sub);
      for (const [packetId, entry] of session.inflight) {
        const messageId = yield* ref(entry.delivery.message);
        yield { kind: 'send', clientId, packetId, messageId, ...deliveryFields(entry.delivery) };
        if (entry.released) yield { kind: 'inflight-released', clientId, packetId };
      }
      for (const d of session.queue) {
        const messageId = yield* ref(d.message);
        yield { kind: 'queue', clientId, messageId, ...deliveryFields(d) };
      }
      for (const packetId of session.receivedQos2) yield { kind: 'qos2-received', clientId, packetId };
    }
  }

  #replay(recovery: Recovery): Restored {
    const messages = new Map<number, Message>();
    const retained = new Map<string, Message>();
    const sessions = new Map<string, RestoredSession>();
    const session = (clientId: string) => sessions.get(clientId);
    for (const r of recovery.records) {
      switch (r.kind) {
        case 'message': {
          const message: Message = {
            topic: r.topic,
            payload: r.payload,
            qos: r.qos,
            retain: r.retain,
            properties: r.properties,
            expiresAt: r.expiresAt,
            origin: r.origin,
          };
          messages.set(r.id, message);
          this.#ids.set(message, r.id);
          this.#nextId = Math.max(this.#nextId, r.id + 1);
          break;
        }
        case 'retain-set': {
          const m = messages.get(r.messageId);
          if (m) retained.set(m.topic, m);
          break;
        }
        case 'retain-delete':
          retained.delete(r.topic);
          break;
        case 'session': {
          const prior = sessions.get(r.clientId);
          sessions.set(r.clientId, {
            clientId: r.clientId,
            expiryInterval: r.expiryInterval,
            protocolVersion: r.protocolVersion,
            username: r.username,
            listenerPort: r.listenerPort,
            offlineSince: undefined,
            subscriptions: prior?.subscriptions ?? new Map(),
            queue: prior?.queue ?? [],
            inflight: prior?.inflight ?? new Map(),
            receivedQos2: prior?.receivedQos2 ?? new Set(),
          });
          break;
        }
        case 'session-offline': {
          const s = session(r.clientId);
          if (s) sessions.set(r.clientId, { ...s, offlineSince: r.at });
          break;
        }
        case 'session-end':
          sessions.delete(r.clientId);
          break;
        case 'subscribe':
          session(r.clientId)?.subscriptions.set(r.key, {
            filter: r.filter,
            qos: r.qos,
            noLocal: r.noLocal,
            retainAsPublished: r.retainAsPublished,
            retainHandling: r.retainHandling,
            identifier: r.identifier,
            group: r.group,
          });
          break;
        case 'unsubscribe':
          session(r.clientId)?.subscriptions.delete(r.key);
          break;
        case 'queue': {
          const m = messages.get(r.messageId);
          if (m) session(r.clientId)?.queue.push(deliveryOf(m, r));
          break;
        }
        case 'send': {
          const m = messages.get(r.messageId);
          if (m)
            session(r.clientId)?.inflight.set(r.packetId, { delivery: deliveryOf(m, r), released: false });
          break;
        }
        case 'dequeue-inflight': {
          const s = session(r.clientId);
          const d = s?.queue.shift();
          if (s && d) s.inflight.set(r.packetId, { delivery: d, released: false });
          break;
        }
        case 'dequeue-drop':
          session(r.clientId)?.queue.shift();
          break;
        case 'inflight-released': {
          const entry = session(r.clientId)?.inflight.get(r.packetId);
          if (entry) entry.released = true;
          break;
        }
        case 'inflight-done':
          session(r.clientId)?.inflight.delete(r.packetId);
          break;
        case 'qos2-received':
          session(r.clientId)?.receivedQos2.add(r.packetId);
          break;
        case 'qos2-released':
          session(r.clientId)?.receivedQos2.delete(r.packetId);
          break;
      }
    }
    return { retained: [...retained.values()], sessions: [...sessions.values()], recovery };
  }
}

function messageRecord(id: number, m: Message): StoreRecord {
  return {
    kind: 'message',
    id,
    topic: m.topic,
    payload: m.payload,
    qos: m.qos,
    retain: m.retain,
    expiresAt: m.expiresAt,
    origin: m.origin,
    properties: m.properties,
  };
}

function subscribeRecord(clientId: string, key: string, sub: Subscription): StoreRecord {
  return { kind: 'subscribe', clientId, key, ...sub };
}

function deliveryFields(d: Delivery): Pick<Delivery, 'qos' | 'retain' | 'subscriptionIds'> {
  return { qos: d.qos, retain: d.retain, subscriptionIds: d.subscriptionIds };
}

function deliveryOf(message: Message, r: Pick<Delivery, 'qos' | 'retain' | 'subscriptionIds'>): Delivery {
  return { message, qos: r.qos, retain: r.retain, subscriptionIds: r.subscriptionIds };
}
