import { clockSchema, parseOptions, rngSchema, z } from '../core/options.js';

/** What the broker core writes to its log; the Mosquitto-format logger (log.ts) implements it. */
export type LogType =
  'debug' | 'error' | 'warning' | 'notice' | 'information' | 'subscribe' | 'unsubscribe' | 'websockets';

export interface BrokerLog {
  /** Cheap check so the hot path builds no string for a type nobody logs. */
  enabled(type: LogType): boolean;
  log(type: LogType, message: string): void;
}

export const silentLog: BrokerLog = Object.freeze({ enabled: () => false, log: () => {} });

const logSchema = z.custom<BrokerLog>(
  (v) => typeof (v as BrokerLog | undefined)?.log === 'function',
  'expected a BrokerLog',
);

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/**
 * Broker core limits and behaviour. Defaults are Mosquitto 2.0's, except where Mosquitto has
 * no limit and one client could exhaust memory: there the default is a bound (documented in
 * docs/broker-config.md).
 */
export const brokerOptionsSchema = z.strictObject({
  /** Whole-packet limit, fixed header included; refused before buffering (max_packet_size). */
  maxPacketSize: int(20, 268_435_460).default(16 * 1024 * 1024),
  /** Largest payload accepted; 0 = no limit beyond the packet size (message_size_limit). */
  messageSizeLimit: int(0, 268_435_455).default(0),
  /** Keepalive ceiling (max_keepalive); undefined leaves client keepalives as asked. */
  maxKeepalive: int(0, 65_535).optional(),
  /** Outgoing QoS 1/2 window per client, also our Receive Maximum (max_inflight_messages). */
  maxInflightMessages: int(1, 65_535).default(20),
  /** QoS 1/2 messages queued per client beyond the window; 0 = no limit (max_queued_messages). */
  maxQueuedMessages: int(0, 10_000_000).default(1000),
  /**
   * What a full queue does (queue_full_policy). 'block' (default): the message is queued all
   * the same and the publishers feeding that queue stop being read until it drains, so nothing
   * acknowledged is lost. 'drop': Mosquitto's behaviour, the message is dropped, counted and logged.
   */
  queueFullPolicy: z.enum(['block', 'drop']).default('block'),
  /**
   * 'block' holds publishers only for a connected subscriber that keeps draining: one whose
   * queue has not moved for this long is stalled, and its messages are dropped (counted, logged)
   * instead, so no client can freeze every publisher by subscribing and never acknowledging.
   */
  queueStallMs: int(1, 3_600_000).default(10_000),
  /** Queue QoS 0 messages for offline persistent sessions (queue_qos0_messages). */
  queueQos0Messages: z.boolean().default(false),
  retainAvailable: z.boolean().default(true),
  /** Highest topic alias a client may use towards us (max_topic_alias). */
  maxTopicAlias: int(0, 65_535).default(10),
  /** Subscriptions one client may hold; Mosquitto has no such limit. */
  maxSubscriptionsPerClient: int(1, 10_000_000).default(10_000),
  allowZeroLengthClientid: z.boolean().default(true),
  autoIdPrefix: z.string().default('auto-'),
  /** Seconds a v3.1.1 persistent session outlives its client; undefined = forever. */
  persistentClientExpiration: int(0, 0xffff_ffff).optional(),
  /** A socket that has not sent CONNECT by then is closed. */
  connectTimeoutMs: int(1, 3_600_000).default(10_000),
  /** Seconds between $SYS updates; 0 disables them (sys_interval). */
  sysInterval: int(0, 65_535).default(10),
  /** Log connects and disconnects (connection_messages). */
  connectionMessages: z.boolean().default(true),
  log: logSchema.optional(),
  clock: clockSchema.optional(),
  rng: rngSchema.optional(),
});

export type BrokerOptionsInput = z.input<typeof brokerOptionsSchema>;
export type BrokerOptions = Readonly<z.output<typeof brokerOptionsSchema>>;

export function parseBrokerOptions(input: BrokerOptionsInput | undefined): BrokerOptions {
  return parseOptions(brokerOptionsSchema, input, 'broker');
}
