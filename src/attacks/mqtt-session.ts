/**
 * What an attacker's MQTT client does once the broker let it in — subscribe, wait for a
 * message, publish and read the acknowledgement, each within a deadline — and how the broker's
 * log of it is read back as evidence.
 */
import type { MqttClient } from 'mqtt';
import { settleWithin } from './mqtt-probe.js';

/**
 * The broker's log lines written since `mark` (an earlier `log().length`). Mosquitto's log
 * reaches us through a pipe: wait up to `ms` for a line matching `want` before reading.
 */
export async function logSince(
  log: () => string,
  mark: number,
  want?: RegExp,
  ms = 1_000,
): Promise<string[]> {
  const lines = () => {
    const text = log();
    return (text.length >= mark ? text.slice(mark) : text)
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => l !== '');
  };
  const deadline = Date.now() + ms;
  while (want !== undefined && Date.now() < deadline && !lines().some((l) => want.test(l))) {
    await new Promise((r) => setTimeout(r, 25));
  }
  return lines();
}

/**
 * The lines of `lines` about one connection: from the broker's "New connection from ADDR:PORT"
 * for client port `localPort` on, up to the next connection's, those that say how it went —
 * refusals, disconnections, ACL denials, and anything naming `clientId`. Without that line (a
 * broker logging less), every such line.
 */
export function connectionLines(
  lines: readonly string[],
  localPort: number | undefined,
  clientId?: string,
): string[] {
  const about = (l: string) =>
    (clientId !== undefined && l.includes(clientId)) ||
    (/OpenSSL|disconnect|closed|denied|New client|Socket error|error/i.test(l) &&
      !/PUBLISH|PINGREQ|SUBSCRIBE|SUBACK|PUBACK/.test(l));
  const start = localPort === undefined ? -1 : lines.findIndex((l) => l.includes(`:${localPort} `));
  if (start < 0) return lines.filter(about);
  const out = [lines[start]!];
  for (const l of lines.slice(start + 1)) {
    if (/New connection from/.test(l)) break;
    if (about(l)) out.push(l);
  }
  return out;
}

/** SUBSCRIBE at QoS 0: the granted QoS (128 = refused, MQTT 3.1.1 §3.9.3), or why there was none. */
export async function subscribeWithin(
  client: MqttClient,
  topic: string,
  ms: number,
): Promise<number | string> {
  const r = await settleWithin<number | string>(Date.now() + ms, (done) => {
    client.subscribe(topic, { qos: 0 }, (err, granted) =>
      done(err ? err.message : (granted?.[0]?.qos ?? 'no SUBACK entry')),
    );
  });
  return r === 'timeout' ? `no SUBACK within ${ms} ms` : r;
}

export interface Received {
  readonly topic: string;
  readonly payload: string;
  /** After the wait began. */
  readonly afterMs: number;
}

/** The next message on `topic`, or undefined after `ms`. */
export async function nextMessage(
  client: MqttClient,
  topic: string,
  ms: number,
): Promise<Received | undefined> {
  const began = Date.now();
  let listener: ((t: string, p: Buffer) => void) | undefined;
  const r = await settleWithin<Received>(began + ms, (done) => {
    listener = (t, p) => {
      const payload = p.toString('utf8');
      if (t === topic) done({ topic: t, payload, afterMs: Date.now() - began });
    };
    client.on('message', listener);
  });
  if (listener) client.off('message', listener);
  return r === 'timeout' ? undefined : r;
}

/**
 * How long to wait for the publisher's next reading: 1.5 of its period, as the subscriber's
 * last two m5go readings show it (2 s, the sketch's period, until it has two), within 1–6 s.
 */
export function readingWaitMs(readings: readonly { deviceId: string; timestamp: string }[]): number {
  const own = readings.filter((r) => r.deviceId === readings.at(-1)?.deviceId).slice(-2);
  const period = own.length === 2 ? Date.parse(own[1]!.timestamp) - Date.parse(own[0]!.timestamp) : 2_000;
  const ms = Number.isFinite(period) && period > 0 ? period * 1.5 + 250 : 3_250;
  return Math.min(6_000, Math.max(1_000, Math.round(ms)));
}

/** A client id no device uses (a duplicate id would take the device's session over, [MQTT-3.1.4-2]). */
export function attackerClientId(prefix: string, rng: { bytes(n: number): Uint8Array }): string {
  return `${prefix}-${Buffer.from(rng.bytes(3)).toString('hex')}`;
}

/**
 * PUBLISH at QoS 1 and report the PUBACK as it came back. In MQTT 3.1.1 a PUBACK has no reason
 * code (§3.4): a broker that drops a denied message acknowledges it all the same.
 */
export async function publishQos1(
  client: MqttClient,
  topic: string,
  payload: string,
  ms: number,
): Promise<string> {
  let onPacket: ((p: { cmd: string; messageId?: number; reasonCode?: number }) => void) | undefined;
  const r = await settleWithin<string>(Date.now() + ms, (done) => {
    let id: number | undefined;
    onPacket = (p) => {
      if (p.cmd !== 'puback' || (id !== undefined && p.messageId !== id)) return;
      done(
        `PUBACK, message id ${p.messageId}${p.reasonCode === undefined ? ', no reason code (MQTT 3.1.1)' : `, reason code 0x${p.reasonCode.toString(16).padStart(2, '0')}`}`,
      );
    };
    client.on('packetreceive', onPacket);
    client.publish(topic, payload, { qos: 1 }, (err, packet) => {
      id = packet?.messageId;
      if (err) done(`PUBLISH failed: ${err.message}`);
    });
  });
  if (onPacket) client.off('packetreceive', onPacket);
  return r === 'timeout' ? `no PUBACK within ${ms} ms` : r;
}
