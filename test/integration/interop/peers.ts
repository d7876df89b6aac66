// The clients of the interop test, behind one small shape: a subscriber that resolves with the
// messages it got, a publisher that sends one. mosquitto_pub/sub and MQTT.js here; paho in
// paho.ts. Each is a separate implementation of MQTT, so our broker is never its own judge.
import { readFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import type { SecureVersion } from 'node:tls';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { requireTool } from '../../helpers/brokers.js';
import { type Running, start, waitForStdout, withTimeout } from '../../helpers/process.js';
import type { IdentityFiles } from '../../helpers/tls-fixtures.js';

export const MOSQUITTO_PUB = '/usr/bin/mosquitto_pub';
export const MOSQUITTO_SUB = '/usr/bin/mosquitto_sub';
const STDBUF = '/usr/bin/stdbuf';
const WAIT_MS = 15_000;

export interface Received {
  readonly topic: string;
  readonly payload: string;
  readonly qos: number;
  readonly retain: boolean;
}

export interface Subscriber {
  readonly name: string;
  /** The QoS it subscribed with: what it receives is min(publish QoS, this). */
  readonly qos: 0 | 1 | 2;
  /** Every message, once all expected ones arrived. */
  readonly done: Promise<Received[]>;
  /** Nothing more will be asked of it (a process reading commands gets EOF). */
  finish?(): void;
}

/** Where the broker listens, and the files an mTLS client needs. */
export interface Endpoints {
  readonly tcp: number;
  readonly tls: number;
  readonly ws: number;
  readonly cafile: string;
}

export type Transport = 'tcp' | 'mtls' | 'ws';

/** mosquitto_pub/sub connection flags for a transport (the broker certificate names localhost). */
export function mosquittoFlags(ep: Endpoints, transport: 'tcp' | 'mtls', id?: IdentityFiles): string[] {
  if (transport === 'tcp') return ['-h', '127.0.0.1', '-p', String(ep.tcp)];
  if (!id) throw new Error('mTLS needs a client identity');
  return ['-h', 'localhost', '-p', String(ep.tls), '--cafile', ep.cafile, '--cert', id.cert, '--key', id.key];
}

/** mosquitto_sub -C count, resolved once subscribed; messages parsed from -F '%t|%q|%r|%p'. */
export async function mosquittoSub(
  t: TestContext,
  dir: string,
  name: string,
  args: readonly string[],
  qos: 0 | 1 | 2,
  count: number,
): Promise<Subscriber> {
  requireTool(MOSQUITTO_SUB);
  const flags = ['-d', '-i', name, '-q', String(qos), '-C', String(count), '-F', '%t|%q|%r|%p'];
  // Piped, mosquitto_sub buffers its debug lines; line buffering lets us see "Subscribed".
  const p = start(t, dir, ['-oL', MOSQUITTO_SUB, ...flags, ...args], STDBUF);
  await waitForStdout(p, 'Subscribed (mid:', WAIT_MS);
  return { name, qos, done: withTimeout(parsed(p, name), WAIT_MS, `${name} to get ${count} messages`) };
}

async function parsed(p: Running, name: string): Promise<Received[]> {
  const code = await p.exited;
  if (code !== 0) throw new Error(`${name} exited ${code}: ${p.stderr()}`);
  return p
    .stdout()
    .split('\n')
    .filter((l) => l.length > 0 && !/^(Client |Subscribed \(mid)/.test(l))
    .map((l) => {
      const [topic = '', qos = '', retain = '', ...payload] = l.split('|');
      return { topic, qos: Number(qos), retain: retain === '1', payload: payload.join('|') };
    });
}

/** One mosquitto_pub run; rejects unless it exits 0. */
export async function mosquittoPub(t: TestContext, dir: string, args: readonly string[]): Promise<void> {
  requireTool(MOSQUITTO_PUB);
  const p = start(t, dir, args, MOSQUITTO_PUB);
  const code = await withTimeout(p.exited, WAIT_MS, 'mosquitto_pub');
  if (code !== 0) throw new Error(`mosquitto_pub ${args.join(' ')} exited ${code}: ${p.stderr()}`);
}

/** An MQTT.js client over TCP, mutual TLS or WebSocket, closed when the test ends. */
export async function mqttjs(
  t: TestContext,
  name: string,
  transport: Transport,
  version: 4 | 5,
  ep: Endpoints,
  id?: IdentityFiles,
  /** Also tls.connect options, which MQTT.js passes through for mqtts:// (maxVersion…). */
  extra: IClientOptions & { readonly maxVersion?: SecureVersion } = {},
): Promise<MqttClient> {
  const url =
    transport === 'tcp'
      ? `mqtt://127.0.0.1:${ep.tcp}`
      : transport === 'ws'
        ? `ws://127.0.0.1:${ep.ws}/mqtt`
        : `mqtts://localhost:${ep.tls}`;
  const tls =
    transport === 'mtls' && id
      ? { ca: readFileSync(ep.cafile), cert: readFileSync(id.cert), key: readFileSync(id.key) }
      : {};
  const client = await withTimeout(
    mqtt.connectAsync(url, {
      clientId: name,
      protocolVersion: version,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...tls,
      ...extra,
    }),
    WAIT_MS,
    `${name} to connect`,
  );
  t.after(() => client.endAsync(true));
  return client;
}

/** Subscribe an MQTT.js client; `done` resolves with the first `count` messages. */
export async function mqttjsSub(
  client: MqttClient,
  name: string,
  filter: string,
  qos: 0 | 1 | 2,
  count: number,
): Promise<Subscriber> {
  const got: Received[] = [];
  let finished!: (r: Received[]) => void;
  const all = new Promise<Received[]>((resolve) => (finished = resolve));
  client.on('message', (topic, payload, packet) => {
    got.push({ topic, payload: payload.toString('utf8'), qos: packet.qos, retain: packet.retain });
    if (got.length === count) finished(got);
  });
  const granted = await client.subscribeAsync(filter, { qos });
  if (granted[0]?.qos !== qos) throw new Error(`${name}: SUBACK granted ${JSON.stringify(granted)}`);
  return { name, qos, done: withTimeout(all, WAIT_MS, `${name} to get ${count} messages`) };
}
