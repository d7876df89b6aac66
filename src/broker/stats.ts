/** Counters behind `$SYS/broker/…` (Mosquitto's names, see sys.ts). */
export class BrokerStats {
  connected = 0;
  maximumConnected = 0;
  expired = 0;
  messagesReceived = 0;
  messagesSent = 0;
  publishReceived = 0;
  publishSent = 0;
  publishDropped = 0;
  bytesReceived = 0;
  bytesSent = 0;
  /** Connections refused before or at CONNECT (auth, malformed, limits). */
  refused = 0;
  /** Publishes, wills and deliveries an ACL refused. */
  aclDenied = 0;
  /** Connections closed because their certificate was revoked or expired while connected. */
  certificateKicks = 0;
}
