/** Why a message meant for a client was not delivered (the `reason` of the dropped counters). */
export type DropReason =
  /** queue_full_policy drop: the client's queue was full. */
  | 'queue-full'
  /** queue_full_policy block: the queue of an absent persistent session was full. */
  | 'offline-queue-full'
  /** queue_full_policy block: a connected client's full queue had not moved for queueStallMs. */
  | 'subscriber-stalled'
  /** persistence: the spools of absent sessions had reached max_spooled_bytes. */
  | 'spool-full'
  /** [MQTT-3.3.2-5] its Message Expiry Interval passed before it could be sent. */
  | 'expired'
  /** [MQTT-3.1.2-25] larger than the client's Maximum Packet Size. */
  | 'too-large';

export const DROP_REASONS: readonly DropReason[] = Object.freeze([
  'queue-full',
  'offline-queue-full',
  'subscriber-stalled',
  'spool-full',
  'expired',
  'too-large',
]);

/** Counters behind `$SYS/broker/…` (Mosquitto's names, see sys.ts) and `/metrics` (metrics/). */
export class BrokerStats {
  connected = 0;
  maximumConnected = 0;
  /** CONNECTs accepted (a CONNACK 0 sent). */
  accepted = 0;
  expired = 0;
  messagesReceived = 0;
  messagesSent = 0;
  publishReceived = 0;
  publishSent = 0;
  /** Every drop, whatever the reason: `$SYS/broker/publish/messages/dropped`. */
  publishDropped = 0;
  readonly dropped: Record<DropReason, number> = {
    'queue-full': 0,
    'offline-queue-full': 0,
    'subscriber-stalled': 0,
    'spool-full': 0,
    expired: 0,
    'too-large': 0,
  };
  bytesReceived = 0;
  bytesSent = 0;
  /** Connections refused before or at CONNECT (auth, malformed, limits, TLS handshake). */
  refused = 0;
  /** Of those, CONNECTs the listener's authentication refused (an `auth-failure` event each). */
  authFailures = 0;
  /** Publishes, wills and deliveries an ACL refused. */
  aclDenied = 0;
  /** Connections closed because their certificate was revoked or expired while connected. */
  certificateKicks = 0;

  drop(reason: DropReason): void {
    this.publishDropped++;
    this.dropped[reason]++;
  }
}
