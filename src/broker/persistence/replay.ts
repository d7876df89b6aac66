import type { Delivery } from '../session.js';
import type { Message } from '../types.js';
import type { Recovery } from './frames.js';
import type { Restored, RestoredSession } from './store.js';

export interface Replayed {
  readonly restored: Omit<Restored, 'spools'>;
  /** Per session, the sequence number of the first spool entry not yet moved into its queue. */
  readonly heads: Map<string, number>;
  /** Message records by id, so the store keeps their ids for what it writes next. */
  readonly messages: Map<number, Message>;
}

/**
 * The journal's records, in order, rebuilt into retained messages and persistent sessions: the
 * state the broker had when the last record was written.
 */
export function replay(recovery: Recovery): Replayed {
  const messages = new Map<number, Message>();
  const retained = new Map<string, Message>();
  const sessions = new Map<string, RestoredSession>();
  /** Per session, the first spool entry not yet moved into its queue. */
  const heads = new Map<string, number>();
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
        heads.delete(r.clientId);
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
        if (m) session(r.clientId)?.inflight.set(r.packetId, { delivery: deliveryOf(m, r), released: false });
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
      case 'unspool': {
        const s = session(r.clientId);
        const m = messages.get(r.messageId);
        if (!s) break;
        if (m) s.queue.push(deliveryOf(m, r));
        heads.set(r.clientId, r.seq + 1);
        break;
      }
      case 'spool-head':
        if (session(r.clientId)) heads.set(r.clientId, r.seq);
        break;
      case 'spool-header':
      case 'spooled':
        // Spool file records: never in the journal.
        break;
    }
  }
  for (const clientId of sessions.keys()) if (!heads.has(clientId)) heads.set(clientId, 0);
  return {
    restored: { retained: [...retained.values()], sessions: [...sessions.values()], recovery },
    heads,
    messages,
  };
}

function deliveryOf(message: Message, r: Pick<Delivery, 'qos' | 'retain' | 'subscriptionIds'>): Delivery {
  return { message, qos: r.qos, retain: r.retain, subscriptionIds: r.subscriptionIds };
}
