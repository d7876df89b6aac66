// The wire benchmark's capture: many connections to a broker on 127.0.0.1 — plaintext MQTT 3.1.1
// and 5.0 on 1883, mutual TLS 1.2 and 1.3 on 8883 — from devices publishing sensor readings and
// dashboards receiving them. Deterministic for a seed; written as it is generated (bounded memory),
// with the counts any reader of the file must find.
import { closeSync, openSync, writeSync } from 'node:fs';
import { createCipheriv, createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { generate, type Packet } from 'mqtt-packet';
import {
  type ConversationEvent,
  type PacketToWrite,
  PcapngWriter,
  PcapWriter,
  synthesizeConversation,
} from '../../src/wire/pcap/index.js';
import { mulberry32 } from '../../test/helpers/prng.js';
import { makePki, tlsConnection } from './wire-tls.js';

/** What the file holds, as every reader of it must count it (tshark has no type-23 count). */
export interface Counts {
  frames: number;
  connections: number;
  /** Plaintext MQTT only: under TLS nobody reads them. */
  mqttPackets: number;
  publishes: number;
  publishPayloadBytes: number;
  /** PUBLISH topics and subscription filters, distinct. */
  distinctTopics: number;
  tlsRecords: number;
  /** Sum of the records' length fields (tshark's tls.record.length). */
  tlsRecordBytes: number;
  appDataRecords?: number;
}

export interface CaptureSpec {
  readonly path: string;
  /** In bytes; the file ends with the first connection that reaches it. */
  readonly bytes: number;
  readonly format: 'pcap' | 'pcapng';
  readonly seed: number;
}

export interface GeneratedCapture {
  readonly bytes: number;
  readonly seconds: number;
  readonly expected: Counts;
  readonly mix: Record<'mqtt311' | 'mqtt5' | 'tls12' | 'tls13' | 'tlsFailed', number>;
}

export type Rnd = () => number;
const pick = <T>(rnd: Rnd, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
const between = (rnd: Rnd, lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));

/** Bytes that look like ciphertext (an AES-CTR keystream), the same for the same seed. */
export class Noise {
  readonly #cipher;
  constructor(seed: number) {
    const key = createHash('sha256').update(`bench-wire ${seed}`).digest();
    this.#cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16));
  }
  bytes(n: number): Uint8Array {
    return new Uint8Array(this.#cipher.update(Buffer.alloc(n)));
  }
}

const T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z, in µs
const BROKER = '127.0.0.1';
const PORT = { mqtt: 1883, mqtts: 8883 } as const;
const DEVICES = Array.from({ length: 24 }, (_, i) => `m5go-${String(i + 1).padStart(2, '0')}`);
/** Connections synthesized together, their frames merged by time. */
const BATCH = 32;
/**
 * PUBLISH packets per connection: with its subscription filters, under analyzeCapture's default
 * maxMessages (1000), so every one is listed and the counts can be compared.
 */
export const MAX_PUBLISHES = 900;

export interface Message {
  readonly dir: 'c2s' | 's2c';
  readonly t: number;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

interface Session {
  readonly messages: Message[];
  packets: number;
  publishes: number;
  payloadBytes: number;
  readonly topics: Set<string>;
  end: number;
}

const SENSORS = ['env', 'env', 'env', 'power', 'power', 'status', 'accel', 'accel'] as const;
const SITES = ['bench-a', 'bench-b', 'bench-c'] as const;
const JPEG_HEAD = Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'); // SOI, APP0 "JFIF"
const JPEG_END = Buffer.from('ffd9', 'hex'); // EOI

/** A reading as devices send it: JSON of 70–100 bytes, an accelerometer burst, or a snapshot. */
function reading(rnd: Rnd, noise: Noise, sensor: string, seq: number, ts: number): Buffer {
  const r2 = (lo: number, span: number) => Math.round((lo + rnd() * span) * 100) / 100;
  const json = (o: object) => Buffer.from(JSON.stringify({ seq, ts, ...o }));
  switch (sensor) {
    case 'env':
      return json({ t: r2(18, 9), h: r2(30, 30), p: r2(995, 30) });
    case 'power':
      return json({ v: r2(228, 4), a: r2(0.1, 2), w: r2(20, 400) });
    case 'status':
      return json({ rssi: -between(rnd, 40, 90), heap: between(rnd, 90e3, 160e3), fw: '1.4.2' });
    case 'accel':
      return json({
        hz: 100,
        xyz: Array.from({ length: between(rnd, 8, 128) }, () => [r2(-2, 4), r2(-2, 4), r2(8, 4)]),
      });
    default:
      return Buffer.concat([JPEG_HEAD, noise.bytes(between(rnd, 8_000, 48_000)), JPEG_END]);
  }
}

/**
 * A device's session (CONNECT, SUBSCRIBE to its commands, readings, DISCONNECT) or a dashboard's
 * (SUBSCRIBE to sites, readings delivered to it), with QoS 1 acknowledgements and keep-alives.
 */
function mqttSession(
  rnd: Rnd,
  noise: Noise,
  name: string,
  v: 4 | 5,
  start: number,
  dashboard: boolean,
): Session {
  const s: Session = {
    messages: [],
    packets: 0,
    publishes: 0,
    payloadBytes: 0,
    topics: new Set(),
    end: start,
  };
  let t = start;
  const send = (dir: 'c2s' | 's2c', p: Packet, gapUs = 300) => {
    t += gapUs;
    s.messages.push({ dir, t, bytes: new Uint8Array(generate(p, { protocolVersion: v })) });
    s.packets++;
    if (p.cmd !== 'publish') return;
    s.publishes++;
    s.payloadBytes += p.payload.length;
    s.topics.add(p.topic);
  };
  const v5 = v === 5;
  const tagged = v5 && rnd() < 0.5; // half the v5 clients say what the payload is
  const credentials = { username: name, password: Buffer.from(`pw-${name}`) };
  const connectProperties = v5 && { properties: { sessionExpiryInterval: 0, receiveMaximum: 100 } };
  send('c2s', {
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: v,
    clientId: name,
    clean: true,
    keepalive: 60,
    ...credentials,
    ...connectProperties,
  });
  const accepted = v5
    ? { reasonCode: 0, properties: { topicAliasMaximum: 10, receiveMaximum: 100 } }
    : { returnCode: 0 };
  send('s2c', { cmd: 'connack', sessionPresent: false, ...accepted });
  const filters = dashboard
    ? SITES.slice(0, between(rnd, 1, 3)).map((site) => `lab/${site}/+/${pick(rnd, ['env', 'power', '#'])}`)
    : [`lab/cmd/${name}/#`];
  send('c2s', {
    cmd: 'subscribe',
    messageId: 1,
    subscriptions: filters.map((topic) => ({ topic, qos: 1 as const })),
  });
  for (const f of filters) s.topics.add(f);
  send('s2c', { cmd: 'suback', messageId: 1, granted: filters.map(() => 1) });
  const qos = rnd() < 0.6 ? 0 : 1;
  const period = between(rnd, 200_000, 2_000_000);
  const site = pick(rnd, SITES);
  const count = between(rnd, 10, 400);
  const dir = dashboard ? 's2c' : 'c2s';
  for (let seq = 0; seq < count && s.publishes < MAX_PUBLISHES; seq++) {
    t += Math.round(period * (0.95 + rnd() * 0.1));
    const sensor = rnd() < 0.02 ? 'camera' : pick(rnd, SENSORS);
    const from = dashboard ? pick(rnd, DEVICES) : name;
    const messageId = (seq % 0xffff) + 1;
    const contentType = sensor === 'camera' ? 'image/jpeg' : 'application/json';
    send(dir, {
      cmd: 'publish',
      topic: `lab/${site}/${from}/${sensor}`,
      payload: reading(rnd, noise, sensor, seq, Math.floor(t / 1000)),
      qos,
      retain: false,
      dup: false,
      ...(qos === 1 && { messageId }),
      ...(tagged && { properties: { contentType, payloadFormatIndicator: sensor !== 'camera' } }),
    });
    if (qos === 1) send(dir === 'c2s' ? 's2c' : 'c2s', { cmd: 'puback', messageId }, 700);
    if (rnd() < 0.03) {
      send('c2s', { cmd: 'pingreq' });
      send('s2c', { cmd: 'pingresp' }, 400);
    }
  }
  send('c2s', { cmd: 'disconnect', ...(v5 && { reasonCode: 0 }) }, 5_000);
  s.end = t;
  return s;
}

/** Every count at zero; `appDataRecords` is left out, for a reader that does not count it. */
export const zeroCounts = (): Counts => ({
  frames: 0,
  connections: 0,
  mqttPackets: 0,
  publishes: 0,
  publishPayloadBytes: 0,
  distinctTopics: 0,
  tlsRecords: 0,
  tlsRecordBytes: 0,
});

/**
 * Writes the capture: 40 % plaintext MQTT (half 3.1.1, half 5.0), 25 % TLS 1.2, 35 % TLS 1.3
 * (2 % of TLS refused at the client certificate), 20 % of sessions dashboards.
 */
export async function generateCapture(spec: CaptureSpec): Promise<GeneratedCapture> {
  const started = performance.now();
  const rnd = mulberry32(spec.seed);
  const noise = new Noise(spec.seed);
  const pki = await makePki(DEVICES);
  const writer = spec.format === 'pcap' ? new PcapWriter() : new PcapngWriter();
  const expected: Counts = { ...zeroCounts(), appDataRecords: 0 };
  const mix = { mqtt311: 0, mqtt5: 0, tls12: 0, tls13: 0, tlsFailed: 0 };
  const topics = new Set<string>();
  const out = new FileSink(spec.path);
  let clock = T0;
  let index = 0;
  try {
    out.write(writer.header());
    while (out.written < spec.bytes) {
      const frames: PacketToWrite[] = [];
      let pending = 0;
      let batchEnd = clock;
      for (let k = 0; k < BATCH && out.written + pending < spec.bytes; k++) {
        const i = index++;
        const start = clock + between(rnd, 0, 10_000_000);
        const device = between(rnd, 0, DEVICES.length - 1);
        const dashboard = rnd() < 0.2;
        const v = rnd() < 0.5 ? 4 : 5;
        const kind = rnd();
        const tls = kind >= 0.4;
        const tls13 = kind >= 0.65;
        const failed = tls && rnd() < 0.02;
        const name = dashboard ? `dashboard-${device % 4}` : DEVICES[device]!;
        const session = mqttSession(rnd, noise, name, v, start + 5_000, dashboard);
        const writes = tls
          ? tlsConnection(rnd, noise, pki, pki.devices[device]!, tls13, session.messages, failed)
          : undefined;
        if (writes) {
          expected.tlsRecords += writes.records;
          expected.appDataRecords! += writes.appData;
          expected.tlsRecordBytes += writes.recordBytes;
          mix[tls13 ? 'tls13' : 'tls12']++;
          if (failed) mix.tlsFailed++;
        } else {
          expected.mqttPackets += session.packets;
          expected.publishes += session.publishes;
          expected.publishPayloadBytes += session.payloadBytes;
          for (const x of session.topics) topics.add(x);
          mix[v === 4 ? 'mqtt311' : 'mqtt5']++;
        }
        const end = writes ? writes.writes.at(-1)!.t : session.end;
        const events: ConversationEvent[] = [{ type: 'connect', timestampUs: start }];
        for (const w of writes?.writes ?? session.messages) {
          const direction = w.dir === 'c2s' ? 'client-to-server' : 'server-to-client';
          events.push({ type: 'data', direction, timestampUs: w.t, data: w.bytes });
        }
        events.push({ type: 'close', direction: 'client-to-server', timestampUs: end + 1_000 });
        events.push({ type: 'close', direction: 'server-to-client', timestampUs: end + 1_200 });
        // Client i is 127.0.x.2, port 49152 + i mod 16384 (RFC 6335 §6): no 4-tuple is reused.
        const client = { ip: `127.0.${(i >> 14) & 0xff}.2`, port: 49152 + (i & 0x3fff) };
        const server = { ip: BROKER, port: tls ? PORT.mqtts : PORT.mqtt };
        const isn = { client: Math.floor(rnd() * 2 ** 32), server: Math.floor(rnd() * 2 ** 32) };
        for (const f of synthesizeConversation({ client, server, events, isn })) {
          frames.push(f);
          pending += f.data.length + 32; // a pcapng EPB's framing; pcap's is 16
        }
        batchEnd = Math.max(batchEnd, end + 1_200);
        expected.connections++;
      }
      frames.sort((a, b) => a.timestampUs - b.timestampUs);
      for (const f of frames) out.write(writer.packet(f));
      expected.frames += frames.length;
      clock = batchEnd + 1_000;
    }
    out.flush();
  } finally {
    out.close();
  }
  expected.distinctTopics = topics.size;
  return { bytes: out.written, seconds: (performance.now() - started) / 1000, expected, mix };
}

/** Buffered writes to a new file (mode 0600, as the lab writes captures). */
class FileSink {
  readonly #fd: number;
  readonly #parts: Uint8Array[] = [];
  #buffered = 0;
  written = 0;

  constructor(path: string) {
    this.#fd = openSync(path, 'wx', 0o600);
  }

  write(bytes: Uint8Array): void {
    this.#parts.push(bytes);
    this.#buffered += bytes.length;
    this.written += bytes.length;
    if (this.#buffered >= 8 * 1024 * 1024) this.flush();
  }

  flush(): void {
    const bytes = Buffer.concat(this.#parts);
    for (let at = 0; at < bytes.length;) at += writeSync(this.#fd, bytes, at);
    this.#parts.length = 0;
    this.#buffered = 0;
  }

  close(): void {
    closeSync(this.#fd);
  }
}
