import { strftime1, utcOffset } from './strftime.js';

/** A PUBLISH as mqtts-lab sub prints it; independent of MQTT.js's packet type. */
export interface ReceivedMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: 0 | 1 | 2;
  readonly retain: boolean;
  /** Packet identifier; 0 for QoS 0, as mosquitto reports it. */
  readonly mid: number;
  /** MQTT 5 properties as MQTT.js decodes them, in wire order. */
  readonly properties?: Readonly<Record<string, unknown>>;
}

/** Wall-clock time of reception with the nanoseconds of the current second (@N, %U). */
export interface Stamp {
  readonly date: Date;
  readonly nanos: number;
}

export const stampOf = (date: Date): Stamp => ({ date, nanos: (date.getTime() % 1000) * 1e6 });

/** libmosquitto's names for the properties a PUBLISH can carry (mosquitto_property_identifier_to_string). */
const JSON_NAMES: Readonly<Record<string, string>> = Object.freeze({
  payloadFormatIndicator: 'payload-format-indicator',
  messageExpiryInterval: 'message-expiry-interval',
  contentType: 'content-type',
  responseTopic: 'response-topic',
  correlationData: 'correlation-data',
  subscriptionIdentifier: 'subscription-identifier',
  topicAlias: 'topic-alias',
  userProperties: 'user-properties',
});

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The payload as text when it is UTF-8 without NUL, else undefined. */
export function payloadText(payload: Buffer): string | undefined {
  if (payload.includes(0)) return undefined;
  try {
    return UTF8.decode(payload);
  } catch {
    return undefined;
  }
}

function jsonProperties(props: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) {
    const name = JSON_NAMES[key];
    if (name === undefined || value === undefined) continue;
    if (key === 'payloadFormatIndicator') out[name] = value === true || value === 1 ? 1 : 0;
    else if (Buffer.isBuffer(value)) out[name] = value.toString('utf8');
    else if (key === 'userProperties') {
      // cJSON keeps the last of duplicate names; so does this.
      const users: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        users[k] = Array.isArray(v) ? v[v.length - 1] : v;
      out[name] = users;
    } else if (Array.isArray(value)) out[name] = value[0];
    else out[name] = value;
  }
  return out;
}

/**
 * mosquitto_sub's %j / %J object. `tst` keeps mosquitto's own shape (microseconds, a literal
 * 'Z' then the local offset) so scripts written for it parse ours. A payload that is not text
 * becomes an array of byte values, as newer mosquitto_sub prints it, instead of cut at the NUL.
 */
export function messageJson(m: ReceivedMessage, at: Stamp, rawPayload: boolean): Record<string, unknown> {
  const d = at.date;
  const micros = String(Math.floor(at.nanos / 1000)).padStart(6, '0');
  const day = ['Y', 'm', 'd'].map((c) => strftime1(c, d, 0)).join('-');
  const time = ['H', 'M', 'S'].map((c) => strftime1(c, d, 0)).join(':');
  const obj: Record<string, unknown> = {
    tst: `${day}T${time}.${micros}Z${utcOffset(d)}`,
    topic: m.topic,
    qos: m.qos,
    retain: m.retain ? 1 : 0,
    payloadlen: m.payload.length,
  };
  if (m.qos > 0) obj.mid = m.mid;
  const props = m.properties === undefined ? {} : jsonProperties(m.properties);
  if (Object.keys(props).length > 0) obj.properties = props;
  // libmosquitto hands an empty payload over as NULL, which cJSON prints as null.
  if (m.payload.length === 0) obj.payload = null;
  else if (rawPayload) obj.payload = JSON.parse(m.payload.toString('utf8')) as unknown;
  else {
    const text = payloadText(m.payload);
    obj.payload = text ?? [...m.payload];
  }
  return obj;
}

/** cJSON_Print's layout (--pretty): tab indents, a tab after each colon, arrays on one line. */
export function prettyJson(value: unknown, depth = 0): string {
  if (Array.isArray(value)) return `[${value.map((v) => prettyJson(v, depth)).join(', ')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = '\t'.repeat(depth + 1);
  const entries = Object.entries(value).map(
    ([k, v]) => `${inner}${JSON.stringify(k)}:\t${prettyJson(v, depth + 1)}`,
  );
  return `{\n${entries.join(',\n')}\n${'\t'.repeat(depth)}}`;
}
