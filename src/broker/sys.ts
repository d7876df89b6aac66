import type { Broker } from './broker.js';

export const BROKER_VERSION = 'mqtts-lab version 0.1.0';

/**
 * `$SYS/broker/…` statistics under Mosquitto's topic names, published retained at QoS 0 every
 * `sys_interval` seconds, and only when a value changed (as Mosquitto does), so an idle broker
 * sends nothing. `$SYS` topics never match a leading wildcard [MQTT-4.7.2-1].
 */
export class SysTopics {
  private readonly last = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly broker: Broker,
    intervalSeconds: number,
  ) {
    this.put('$SYS/broker/version', BROKER_VERSION);
    this.timer = setInterval(() => this.update(), intervalSeconds * 1000);
    this.timer.unref?.();
    setImmediate(() => this.update());
  }

  /** Current values, also used by tests and the dashboard. */
  snapshot(): Record<string, string> {
    const b = this.broker;
    const s = b.stats;
    let disconnected = 0;
    let stored = 0;
    let storedBytes = 0;
    let subscriptions = 0;
    for (const session of b.sessions.values()) {
      if (!session.online) disconnected++;
      stored += session.queue.length + session.inflight.size;
      for (const d of session.queue) storedBytes += d.message.payload.length;
      subscriptions += session.subscriptions.size;
    }
    // Messages spooled to disk for absent sessions are stored too.
    stored += b.store?.spoolTotals.messages ?? 0;
    const retained = b.retained.size;
    return {
      '$SYS/broker/uptime': `${Math.floor((b.now() - b.startedAt) / 1000)} seconds`,
      '$SYS/broker/clients/connected': String(s.connected),
      '$SYS/broker/clients/active': String(s.connected),
      '$SYS/broker/clients/disconnected': String(disconnected),
      '$SYS/broker/clients/inactive': String(disconnected),
      '$SYS/broker/clients/total': String(s.connected + disconnected),
      '$SYS/broker/clients/maximum': String(s.maximumConnected),
      '$SYS/broker/clients/expired': String(s.expired),
      '$SYS/broker/messages/received': String(s.messagesReceived),
      '$SYS/broker/messages/sent': String(s.messagesSent),
      '$SYS/broker/messages/stored': String(stored + retained),
      '$SYS/broker/store/messages/count': String(stored + retained),
      '$SYS/broker/store/messages/bytes': String(storedBytes),
      '$SYS/broker/subscriptions/count': String(subscriptions),
      '$SYS/broker/retained messages/count': String(retained),
      '$SYS/broker/publish/messages/received': String(s.publishReceived),
      '$SYS/broker/publish/messages/sent': String(s.publishSent),
      '$SYS/broker/publish/messages/dropped': String(s.publishDropped),
      '$SYS/broker/bytes/received': String(s.bytesReceived),
      '$SYS/broker/bytes/sent': String(s.bytesSent),
      '$SYS/broker/heap/current': String(process.memoryUsage().heapUsed),
    };
  }

  update(): void {
    for (const [topic, value] of Object.entries(this.snapshot())) this.put(topic, value);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private put(topic: string, value: string): void {
    if (this.last.get(topic) === value) return;
    this.last.set(topic, value);
    this.broker.publish({
      topic,
      payload: Buffer.from(value),
      qos: 0,
      retain: true,
      properties: undefined,
      expiresAt: undefined,
      origin: undefined,
    });
  }
}
