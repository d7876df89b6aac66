import type { IConnackPacket, IConnectPacket, IPublishPacket, Packet } from 'mqtt-packet';
import { bytesView, observation, showBytes } from './bytes-view.js';
import type { MqttDecoding } from './mqtt-decode.js';
import { connackName, protocolLabel, reasonName } from './mqtt-names.js';
import type { Direction, Evidence, MqttPublishView, MqttView, Observation } from './types.js';

const WHO: Record<Direction, string> = { c2s: 'client → broker', s2c: 'broker → client' };
const yesNo = (b: boolean) => (b ? 'yes' : 'no');
/** The packet's bytes as they are (the report reads at most PREVIEW_BYTES of them). */
const asBytes = (p: string | Buffer | undefined): Uint8Array =>
  typeof p === 'string' ? new Uint8Array(Buffer.from(p, 'utf8')) : p === undefined ? new Uint8Array(0) : p;

/**
 * What plaintext MQTT gives away: every field of every packet. Each finding is `exposed`; the
 * view keeps the structured values, the observations say where each was read.
 */
export function observeMqtt(
  decoding: MqttDecoding,
  maxMessages: number,
): { view: MqttView; observations: Observation[] } {
  const obs: Observation[] = [];
  const packets = { c2s: {} as Record<string, number>, s2c: {} as Record<string, number> };
  const publishes: MqttPublishView[] = [];
  const subscriptions: { filter: string; qos: number; evidence: Evidence }[] = [];
  const unsubscriptions: { filter: string; evidence: Evidence }[] = [];
  let connect: MqttView['connect'];
  let connack: MqttView['connack'];
  let level: 3 | 4 | 5 | undefined;
  let protocolName: string | undefined;
  let listed = 0;
  let omittedMessages = 0;
  // A device publishes to a few topics over and over: each message's topic is kept as the first
  // string of its text, not one string per message.
  const topics = new Map<string, string>();
  /** PUBLISH packets and subscription filters are listed up to maxMessages, then only counted. */
  const room = (): boolean => {
    if (listed >= maxMessages) {
      omittedMessages++;
      return false;
    }
    listed++;
    return true;
  };

  for (const { packet, evidence } of decoding.packets) {
    const dir = evidence.direction;
    packets[dir][packet.cmd] = (packets[dir][packet.cmd] ?? 0) + 1;
    switch (packet.cmd) {
      case 'connect':
        if (dir !== 'c2s' || connect !== undefined) break;
        level = packet.protocolVersion ?? 4;
        protocolName = packet.protocolId;
        connect = connectView(packet, evidence);
        obs.push(...connectObservations(connect, level, protocolName, evidence));
        break;
      case 'connack':
        if (connack !== undefined) break;
        connack = connackView(packet, level, evidence);
        obs.push(
          observation(
            'mqtt.connack',
            'exposed',
            `${connack.code} ${connack.name}`,
            `the broker's answer to CONNECT (session present: ${yesNo(connack.sessionPresent)})`,
            [evidence],
          ),
        );
        break;
      case 'publish':
        if (!room()) break;
        publishes.push(publishView(packet, evidence, topics));
        obs.push(publishObservation(publishes.at(-1)!));
        break;
      case 'subscribe':
        for (const s of packet.subscriptions) {
          if (!room()) continue;
          subscriptions.push({ filter: s.topic, qos: s.qos, evidence });
          obs.push(
            observation(
              'mqtt.subscribe',
              'exposed',
              `${s.topic} (QoS ${s.qos})`,
              'a topic filter the client subscribes to',
              [evidence],
            ),
          );
        }
        break;
      case 'suback': {
        const codes = (packet.granted as unknown[]).map((g) =>
          typeof g === 'number' ? g : Number((g as { qos?: number }).qos),
        );
        obs.push(
          observation('mqtt.suback', 'exposed', codes.join(', '), 'granted QoS or refusal code per filter', [
            evidence,
          ]),
        );
        break;
      }
      case 'unsubscribe':
        for (const filter of packet.unsubscriptions) {
          if (!room()) continue;
          unsubscriptions.push({ filter, evidence });
          obs.push(
            observation('mqtt.unsubscribe', 'exposed', filter, 'a topic filter the client drops', [evidence]),
          );
        }
        break;
      case 'disconnect':
        obs.push(disconnectObservation(packet, dir, level, evidence));
        break;
      case 'auth':
        obs.push(
          observation(
            'mqtt.auth',
            'exposed',
            packet.properties?.authenticationMethod ?? reasonName(packet.reasonCode),
            'MQTT 5 enhanced authentication exchange, in clear',
            [evidence],
          ),
        );
        break;
      default:
        break; // acks and pings: counted in `packets`, nothing more to learn from them
    }
  }
  const view: MqttView = {
    ...(level !== undefined && { protocolLevel: level }),
    ...(protocolName !== undefined && { protocolName }),
    ...(connect && { connect }),
    ...(connack && { connack }),
    publishes,
    subscriptions,
    unsubscriptions,
    packets,
    omittedMessages,
  };
  return { view, observations: obs };
}

function connectView(p: IConnectPacket, evidence: Evidence): NonNullable<MqttView['connect']> {
  return {
    clientId: p.clientId,
    ...(p.username !== undefined && { username: p.username }),
    ...(p.password !== undefined && { password: bytesView(asBytes(p.password)) }),
    ...(p.will && {
      will: {
        topic: p.will.topic,
        payload: bytesView(asBytes(p.will.payload)),
        qos: p.will.qos ?? 0,
        retain: p.will.retain === true,
      },
    }),
    keepalive: p.keepalive ?? 0,
    cleanSession: p.clean !== false,
    evidence,
  };
}

function connectObservations(
  c: NonNullable<MqttView['connect']>,
  level: number,
  name: string | undefined,
  e: Evidence,
): Observation[] {
  const out = [
    observation(
      'mqtt.protocol',
      'exposed',
      `${protocolLabel(level)} (protocol ${name ?? '?'}, level ${level})`,
      `CONNECT in clear: keep-alive ${c.keepalive} s, clean session ${yesNo(c.cleanSession)}`,
      [e],
    ),
    observation(
      'mqtt.client-id',
      'exposed',
      c.clientId,
      c.clientId === ''
        ? 'an empty client id (the broker assigns one)'
        : 'names the device to anyone on the path',
      [e],
    ),
  ];
  if (c.username !== undefined)
    out.push(observation('mqtt.username', 'exposed', c.username, 'the account the client logs in as', [e]));
  if (c.password !== undefined)
    out.push(
      observation(
        'mqtt.password',
        'exposed',
        c.password.text ?? `hex:${c.password.hex}`,
        'the password crosses the wire in clear: anyone who reads this can log in as this user',
        [e],
      ),
    );
  if (c.will)
    out.push(
      observation(
        'mqtt.will',
        'exposed',
        `${c.will.topic}: ${showBytes(c.will.payload)}`,
        `last-will message (QoS ${c.will.qos}, retain ${yesNo(c.will.retain)})`,
        [e],
      ),
    );
  return out;
}

function connackView(p: IConnackPacket, level: number | undefined, evidence: Evidence) {
  const code = (level === 5 ? p.reasonCode : p.returnCode) ?? p.returnCode ?? p.reasonCode ?? 0;
  return { code, name: connackName(code, level), sessionPresent: p.sessionPresent === true, evidence };
}

function publishView(p: IPublishPacket, evidence: Evidence, topics: Map<string, string>): MqttPublishView {
  const direction = evidence.direction;
  const { qos, messageId } = p;
  let topic = topics.get(p.topic);
  if (topic === undefined) {
    topic = p.topic;
    topics.set(topic, topic);
  }
  const retain = p.retain === true;
  const dup = p.dup === true;
  const payload = bytesView(asBytes(p.payload));
  // Two literals, not a conditional spread: one object per message.
  return messageId === undefined
    ? { direction, topic, qos, retain, dup, payload, evidence }
    : { direction, topic, qos, retain, dup, messageId, payload, evidence };
}

function publishObservation(p: MqttPublishView): Observation {
  return observation(
    'mqtt.publish',
    'exposed',
    flat(`${p.topic}: ${showBytes(p.payload)}`),
    publishDetail(p),
    [p.evidence],
  );
}

/**
 * Messages of one size, direction and flags share one detail string: a device's readings come in
 * a few sizes, and a string per message would be kept (and copied by the collector) for each.
 */
const details = new Map<number, string>();
const MAX_DETAILS = 4096;

function publishDetail(p: MqttPublishView): string {
  const bits = (p.direction === 's2c' ? 16 : 0) + p.qos * 4 + (p.retain ? 2 : 0) + (p.dup ? 1 : 0);
  const key = p.payload.bytes * 32 + bits; // below 2^53: a payload is under 2^28 bytes (MQTT 3.1.1 §2.2.3)
  const known = details.get(key);
  if (known !== undefined) return known;
  const flags = `QoS ${p.qos}, retain ${yesNo(p.retain)}${p.dup ? ', dup' : ''}`;
  const detail = flat(`PUBLISH ${WHO[p.direction]}, ${flags}, ${p.payload.bytes}-byte payload`);
  if (details.size >= MAX_DETAILS) details.clear();
  details.set(key, detail);
  return detail;
}

/**
 * The string as one piece: a string built by concatenation is a tree of its parts until it is
 * read, and kept for every message that tree is what each young collection copies.
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

function disconnectObservation(p: Packet, dir: Direction, level: number | undefined, e: Evidence) {
  const code = (p as { reasonCode?: number }).reasonCode;
  const value = level === 5 && code !== undefined ? `${code} ${reasonName(code)}` : 'DISCONNECT';
  return observation('mqtt.disconnect', 'exposed', value, `${WHO[dir]}: the session ends cleanly`, [e]);
}
