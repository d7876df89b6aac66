import type { Broker } from '../broker.js';
import { DROP_REASONS } from '../stats.js';
import type { MetricFamily } from './exposition.js';

const counter = (name: string, help: string, value: number): MetricFamily => ({
  name: `mqttslab_${name}_total`,
  help,
  type: 'counter',
  samples: [{ value }],
});

const gauge = (name: string, help: string, value: number): MetricFamily => ({
  name: `mqttslab_${name}`,
  help,
  type: 'gauge',
  samples: [{ value }],
});

/**
 * The broker's own counters (BrokerStats, the same numbers as `$SYS/broker/…`) and gauges read
 * from its state at scrape time. Nothing here is estimated: a number the broker does not count
 * is not exported. Counters start at 0 when the broker starts.
 */
export function brokerFamilies(broker: Broker): MetricFamily[] {
  const s = broker.stats;
  let online = 0;
  let offline = 0;
  let subscriptions = 0;
  let queued = 0;
  let inflight = 0;
  for (const session of broker.sessions.values()) {
    if (session.online) online++;
    else offline++;
    subscriptions += session.subscriptions.size;
    queued += session.queue.length;
    inflight += session.inflight.size;
  }
  const spool = broker.store?.spoolTotals ?? { messages: 0, bytes: 0 };
  let held = 0;
  for (const connection of broker.connections) if (connection.held) held++;
  return [
    counter('connections_accepted', 'CONNECTs accepted (CONNACK success sent).', s.accepted),
    counter(
      'connections_refused',
      'Connections refused before or at CONNECT: authentication, TLS handshake, malformed or unacceptable CONNECT.',
      s.refused,
    ),
    counter(
      'auth_failures',
      'CONNECTs refused by the listener authentication (an auth-failure event each).',
      s.authFailures,
    ),
    counter('acl_denied', 'Publishes, wills and deliveries refused by the ACL.', s.aclDenied),
    counter(
      'certificate_disconnects',
      'Connected clients disconnected because their certificate was revoked by a reloaded CRL or expired.',
      s.certificateKicks,
    ),
    counter(
      'sessions_expired',
      'Persistent sessions removed because their expiry interval passed.',
      s.expired,
    ),
    counter('messages_received', 'PUBLISH packets received from clients.', s.messagesReceived),
    counter('messages_sent', 'PUBLISH packets sent to clients, retransmissions included.', s.messagesSent),
    {
      name: 'mqttslab_messages_dropped_total',
      help: 'Messages for a client that were not delivered, by reason.',
      type: 'counter',
      samples: DROP_REASONS.map((reason) => ({ labels: { reason }, value: s.dropped[reason] })),
    },
    counter('bytes_received', 'Bytes read from client connections (MQTT layer, after TLS).', s.bytesReceived),
    counter('bytes_sent', 'Bytes written to client connections (MQTT layer, before TLS).', s.bytesSent),
    gauge('clients_connected', 'Clients connected now.', s.connected),
    gauge('clients_maximum', 'Most clients connected at once since the broker started.', s.maximumConnected),
    {
      name: 'mqttslab_sessions',
      help: 'Sessions held by the broker, with their client connected (online) or away (offline).',
      type: 'gauge',
      samples: [
        { labels: { state: 'online' }, value: online },
        { labels: { state: 'offline' }, value: offline },
      ],
    },
    gauge('subscriptions', 'Subscriptions held by all sessions.', subscriptions),
    gauge('retained_messages', 'Retained messages.', broker.retained.size),
    gauge('queued_messages', 'Messages waiting in session queues in memory.', queued),
    gauge('inflight_messages', 'Outgoing QoS 1/2 messages sent and not yet acknowledged.', inflight),
    gauge(
      'spooled_messages',
      'Messages of absent persistent sessions spooled to disk beyond their memory queue (persistence).',
      spool.messages,
    ),
    gauge('spool_bytes', 'Bytes the spools take on disk (limit: max_spooled_bytes).', spool.bytes),
    gauge('publishers_held', 'Publisher connections not being read (backpressure) right now.', held),
    gauge('start_time_seconds', 'When the broker started, Unix time in seconds.', broker.startedAt / 1000),
  ];
}
