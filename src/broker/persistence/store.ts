import type { Delivery, Session, Subscription } from '../session.js';
import type { Message } from '../types.js';
import { type FsyncPolicy, Journal, type Recovery } from './journal.js';
import type { StoreRecord } from './records.js';
import { replay } from './replay.js';
import { type SpoolReport, Spools } from './spools.js';

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
  /** Sessions whose spool held messages, or was damaged, when the store was opened. */
  readonly spools: readonly SpoolReport[];
}

export interface StoreOptions {
  readonly fsync: FsyncPolicy;
  /** Bytes the spools of absent sessions may take on disk together (max_spooled_bytes); 0: none. */
  readonly spoolLimit: number;
}

/**
 * Durable broker state on an append-only journal: retained messages and persistent sessions
 * (subscriptions, queued and in-flight QoS 1/2 messages, QoS 2 identifiers awaiting PUBREL),
 * plus, per absent session, a spool file for the messages beyond its memory queue.
 * The broker calls a hook for each change; the record is written before any acknowledgement
 * that depends on it leaves (the broker flushes the store before every socket write).
 * Only sessions that outlive their connection are journaled; a clean session costs nothing.
 */
export class BrokerStore {
  readonly #journal: Journal;
  readonly #ids = new WeakMap<Message, number>();
  #nextId = 1;
  #snapshotBytes = 0;
  #spools!: Spools;

  private constructor(journal: Journal) {
    this.#journal = journal;
  }

  /** Open (and lock) the store and rebuild what it holds; the spools live in `path.spool/`. */
  static open(path: string, options: StoreOptions): { store: BrokerStore; restored: Restored } {
    const { journal, recovery } = Journal.open(path, options.fsync);
    const store = new BrokerStore(journal);
    try {
      const { restored, heads, messages } = replay(recovery);
      for (const [id, message] of messages) {
        store.#ids.set(message, id);
        if (id >= store.#nextId) store.#nextId = id + 1;
      }
      const { spools, reports } = Spools.open(`${path}.spool`, options.fsync, options.spoolLimit, heads);
      store.#spools = spools;
      return { store, restored: { ...restored, spools: reports } };
    } catch (err) {
      journal.close();
      throw err;
    }
  }

  get path(): string {
    return this.#journal.path;
  }

  // ---- hooks the broker calls -------------------------------------------------------------

  sessionSaved(session: Session, listenerPort: number): void {
    if (session.expiryInterval === 0) {
      if (session.persisted) {
        // Resumed, but no longer to outlive its connection: what it had spooled is kept in memory.
        for (const e of this.#spools.take(session.clientId, Number.POSITIVE_INFINITY)) {
          session.queue.push(e.delivery);
        }
        this.sessionEnded(session);
      }
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
    this.#spools.discard(session.clientId);
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

  // ---- spools of absent sessions ---------------------------------------------------------

  /** Bytes all spools may take together (max_spooled_bytes); 0: the spool is off. */
  get spoolLimit(): number {
    return this.#spools.limit;
  }

  /** Messages in the session's spool, not yet moved into its queue. */
  spooled(session: Session): number {
    return this.#spools.count(session.clientId);
  }

  spoolHasRoom(): boolean {
    return this.#spools.hasRoom();
  }

  /** Append to the session's spool, behind everything already there. */
  spool(session: Session, d: Delivery): void {
    this.#spools.append(session.clientId, d);
  }

  /**
   * Up to `max` messages from the head of the session's spool, for the tail of its queue; each
   * move is journaled as one record (before anything is sent, as every record is).
   */
  unspool(session: Session, max: number): Delivery[] {
    const out: Delivery[] = [];
    for (const { seq, delivery } of this.#spools.take(session.clientId, max)) {
      const messageId = this.#ref(delivery.message);
      this.#append({
        kind: 'unspool',
        clientId: session.clientId,
        seq,
        messageId,
        ...deliveryFields(delivery),
      });
      out.push(delivery);
    }
    return out;
  }

  /** Totals over every spool, for $SYS and /metrics. */
  get spoolTotals(): { messages: number; bytes: number } {
    return { messages: this.#spools.messages, bytes: this.#spools.bytes };
  }

  /** Forget the spools of sessions that are gone (expired while the broker was down). */
  keepSpoolsOf(clientIds: ReadonlySet<string>): void {
    this.#spools.discardExcept(clientIds);
  }

  // ---- durability ------------------------------------------------------------------------

  /** Write pending records and spooled messages; the broker calls this before any packet leaves. */
  flush(): void {
    this.#spools.flush();
    this.#journal.flushSync();
    // Only now, with the moves on record, may a drained spool be deleted.
    this.#spools.reclaim();
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
    this.#spools.flush();
    this.compact(state, true);
    this.#journal.close();
    this.#spools.close();
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
      const head = this.#spools.head(clientId);
      if (head > 0) yield { kind: 'spool-head', clientId, seq: head };
    }
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
