// Shared fixture of the broker conformance suite: an in-process Broker on real listeners bound to
// 127.0.0.1 port 0, MQTT.js clients for the ordinary flows, and a raw client (mqtt-packet's
// generate/parser over a bare socket) for what MQTT.js hides: exact bytes, DUP flags, packet
// identifiers, acknowledgements withheld or sent out of order, malformed packets.
import assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { generate, type IConnackPacket, type IConnectPacket, type Packet, parser } from 'mqtt-packet';
import { Broker } from '../../../src/broker/broker.js';
import { startListener } from '../../../src/broker/listeners/net.js';
import type { BrokerOptionsInput } from '../../../src/broker/options.js';

/** "Arrives within a generous timeout": long enough for a loaded CI machine. */
export const WAIT = 3000;
/** "Nothing arrives": how long we watch for a packet that must not come. */
export const QUIET = 250;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The bytes of a packet, to send whole, split or altered. */
export function encode(packet: Packet, version: 3 | 4 | 5 = 4): Buffer {
  return generate(packet, { protocolVersion: version });
}

/** A FIFO whose consumer can wait for the next item, with a deadline. */
export class Queue<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;
  private ended: string | undefined;

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  /** No more items will come, for `why`; a consumer still waiting fails with it. */
  end(why: string): void {
    this.ended ??= why;
    this.wake?.();
  }

  /** Everything received and not yet taken. */
  drain(): T[] {
    return this.items.splice(0);
  }

  async next(ms = WAIT, what = 'item'): Promise<T> {
    const deadline = Date.now() + ms;
    while (this.items.length === 0) {
      if (this.ended) throw new assert.AssertionError({ message: `${this.ended} while waiting for ${what}` });
      const left = deadline - Date.now();
      if (left <= 0) throw new assert.AssertionError({ message: `no ${what} within ${ms} ms` });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return this.items.shift()!;
  }

  async take(n: number, ms = WAIT, what = 'item'): Promise<T[]> {
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next(ms, `${what} #${i + 1} of ${n}`));
    return out;
  }

  /** Assert that nothing (more) arrives within `ms`. */
  async none(ms = QUIET, what = 'item'): Promise<void> {
    await sleep(ms);
    assert.equal(this.items.length, 0, `unexpected ${what}: ${describe(this.items[0])}`);
  }
}

function describe(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer'
      ? Buffer.from((v as { data: number[] }).data).toString()
      : v,
  );
}

export type RawPacket<C extends Packet['cmd']> = Extract<Packet, { cmd: C }>;

/** A client that speaks MQTT packet by packet, so a test controls every byte it sends. */
export class RawClient {
  readonly packets = new Queue<Packet>();
  /** What our own parser could not read from the server (a conformance failure in itself). */
  readonly parseErrors: Error[] = [];
  readonly closed: Promise<void>;
  isClosed = false;

  constructor(
    readonly socket: Socket,
    readonly version: 4 | 5,
  ) {
    const decoder = parser({ protocolVersion: version });
    decoder.on('packet', (p: Packet) => this.packets.push(p));
    decoder.on('error', (e: Error) => {
      // The server sent bytes a conforming client cannot parse: fail whoever waits.
      this.parseErrors.push(e);
      this.packets.end(`the server sent an unparseable packet (${e.message})`);
    });
    socket.on('data', (chunk: Buffer) => decoder.parse(chunk));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.packets.end('connection closed');
        resolve();
      }),
    );
  }

  send(packet: Packet): void {
    this.socket.write(generate(packet, { protocolVersion: this.version }));
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  connectPacket(fields: Partial<IConnectPacket> = {}): IConnectPacket {
    return {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: this.version,
      clean: true,
      keepalive: 0,
      clientId: '',
      ...fields,
    };
  }

  /** Send CONNECT and return the CONNACK. */
  async connect(fields: Partial<IConnectPacket> = {}): Promise<IConnackPacket> {
    this.send(this.connectPacket(fields));
    return this.expect('connack');
  }

  async expect<C extends Packet['cmd']>(cmd: C, ms = WAIT): Promise<RawPacket<C>> {
    const packet = await this.packets.next(ms, cmd.toUpperCase());
    assert.equal(packet.cmd, cmd, `expected ${cmd.toUpperCase()}, got ${describe(packet)}`);
    return packet as RawPacket<C>;
  }

  async subscribe(topic: string, qos: 0 | 1 | 2 = 0, messageId = 1): Promise<number[]> {
    this.send({ cmd: 'subscribe', messageId, subscriptions: [{ topic, qos }] });
    const suback = await this.expect('suback');
    assert.equal(suback.messageId, messageId);
    return suback.granted as number[];
  }

  /** Wait for the server to close the connection; returns what it sent before closing. */
  async expectClosed(ms = WAIT): Promise<Packet[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    const outcome = await Promise.race([this.closed, timeout]);
    clearTimeout(timer);
    assert.notEqual(outcome, 'timeout', `the server did not close the connection within ${ms} ms`);
    assert.deepEqual(this.parseErrors, [], 'the server sent an unparseable packet');
    return this.packets.drain();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export interface Lab {
  readonly broker: Broker;
  readonly port: number;
  readonly url: string;
  /** ws:// URL of the WebSocket listener, when asked for. */
  readonly wsUrl: string;
  client(options?: IClientOptions, url?: string): Promise<MqttClient>;
  raw(version?: 4 | 5): Promise<RawClient>;
  /** A raw client already connected with these CONNECT fields. */
  rawConnected(fields?: Partial<IConnectPacket>, version?: 4 | 5): Promise<RawClient>;
}

/**
 * Start a broker with `options` (quiet, no $SYS timer unless asked) on a TCP listener, and a
 * WebSocket one if asked; every client made through the lab is closed when the test ends.
 */
export async function startLab(
  t: TestContext,
  options: BrokerOptionsInput = {},
  { websockets = false }: { websockets?: boolean } = {},
): Promise<Lab> {
  const broker = new Broker({ sysInterval: 0, connectionMessages: false, ...options });
  const tcp = await startListener(broker, {
    port: 0,
    host: '127.0.0.1',
    protocol: 'mqtt',
    maxConnections: -1,
  });
  const ws = websockets
    ? await startListener(broker, { port: 0, host: '127.0.0.1', protocol: 'websockets', maxConnections: -1 })
    : undefined;
  const clients: MqttClient[] = [];
  const raws: RawClient[] = [];
  t.after(async () => {
    for (const c of clients) c.end(true);
    for (const r of raws) r.destroy();
    await broker.close();
    await Promise.all([tcp.close(), ws?.close()]);
  });
  const url = `mqtt://127.0.0.1:${tcp.port}`;
  let seq = 0;
  const lab: Lab = {
    broker,
    port: tcp.port,
    url,
    wsUrl: ws ? `ws://127.0.0.1:${ws.port}` : '',
    async client(opts = {}, to = url) {
      const client = mqtt.connect(to, {
        clientId: `c${++seq}-${process.pid}`,
        reconnectPeriod: 0,
        connectTimeout: WAIT,
        ...opts,
      });
      clients.push(client);
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
        client.once('close', () => reject(new Error('closed before CONNACK')));
      });
      return client;
    },
    async raw(version = 4) {
      const socket = tcpConnect({ port: tcp.port, host: '127.0.0.1' });
      socket.setNoDelay(true);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      const raw = new RawClient(socket, version);
      raws.push(raw);
      return raw;
    },
    async rawConnected(fields = {}, version = 4) {
      const raw = await lab.raw(version);
      const connack = await raw.connect({ clientId: `r${++seq}-${process.pid}`, ...fields });
      assert.equal(version === 5 ? connack.reasonCode : connack.returnCode, 0, 'CONNACK refused');
      return raw;
    },
  };
  return lab;
}

export interface Received {
  readonly topic: string;
  readonly payload: string;
  readonly packet: IPublishPacket;
}

/** Every application message an MQTT.js client receives, in order. */
export function inbox(client: MqttClient): Queue<Received> {
  const queue = new Queue<Received>();
  client.on('message', (topic, payload, packet) =>
    queue.push({ topic, payload: payload.toString(), packet }),
  );
  return queue;
}

/** Poll until `check` holds or the deadline passes (for state the wire does not show). */
export async function until(check: () => boolean, what: string, ms = WAIT): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline)
      throw new assert.AssertionError({ message: `not true within ${ms} ms: ${what}` });
    await sleep(10);
  }
}
