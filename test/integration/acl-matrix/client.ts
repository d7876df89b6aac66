// The ACL matrix's client: mqtt-packet over a bare TCP or TLS socket, so that a PUBACK's reason
// code, a SUBACK's grants and "nothing arrived" are read exactly (MQTT.js hides reason codes
// behind errors and retries). A PINGREQ round trip is the barrier: a broker handles one
// connection's packets in order and writes to each socket in order, so once PINGRESP is back,
// every message routed to this client before it has arrived.
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { generate, type IPublishPacket, type Packet, parser } from 'mqtt-packet';

export const DEADLINE_MS = 5000;

export interface Endpoint {
  readonly port: number;
  /** mTLS: the CA of the broker's certificate and the client's own certificate and key. */
  readonly tls?: { readonly ca: Buffer; readonly cert: Buffer; readonly key: Buffer };
}

export interface Login {
  readonly version: 4 | 5;
  readonly clientId: string;
  readonly username?: string;
  readonly will?: { readonly topic: string; readonly payload: string };
}

interface Waiter {
  resolve(packet: Packet): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class Client {
  /** Every PUBLISH the broker sent, in order. */
  readonly received: IPublishPacket[] = [];
  /** The CONNACK's 3.1.1 return code or MQTT 5 reason code; null: closed without one. */
  connack: number | null = null;
  readonly closed: Promise<void>;
  private readonly waiters = new Map<string, Waiter[]>();
  private nextId = 0;
  private closedWhy: string | undefined;

  constructor(
    private readonly socket: Socket,
    readonly version: 4 | 5,
  ) {
    const decoder = parser({ protocolVersion: version });
    decoder.on('packet', (p: Packet) => this.onPacket(p));
    decoder.on('error', (e: Error) => this.fail(`unparseable packet from the broker: ${e.message}`));
    socket.on('data', (chunk: Buffer) => decoder.parse(chunk));
    socket.on('error', (e: Error) => this.fail(e.message));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => this.fail('connection closed'));
  }

  /** QoS 1: the PUBACK's reason code (0 when a v5 PUBACK has none), or 'plain' for a 3.1.1 PUBACK. */
  async publish(
    topic: string,
    payload: string,
    qos: 0 | 1,
    retain = false,
  ): Promise<number | 'plain' | undefined> {
    const messageId = qos === 0 ? undefined : this.id();
    const acked = messageId === undefined ? undefined : this.wait('puback', messageId);
    this.send({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain, dup: false, messageId });
    const ack = await acked;
    if (ack?.cmd !== 'puback') return undefined;
    if (this.version === 4) return ack.length === 2 ? 'plain' : -1;
    return ack.reasonCode ?? 0;
  }

  /** SUBSCRIBE one filter; the SUBACK's grants (reason codes in v5). */
  async subscribe(topic: string, qos: 0 | 1 = 0): Promise<number[]> {
    const messageId = this.id();
    const acked = this.wait('suback', messageId);
    this.send({ cmd: 'subscribe', messageId, subscriptions: [{ topic, qos }] });
    const ack = await acked;
    return ack.cmd === 'suback' ? (ack.granted as number[]) : [];
  }

  async unsubscribe(topic: string): Promise<void> {
    const messageId = this.id();
    const acked = this.wait('unsuback', messageId);
    this.send({ cmd: 'unsubscribe', messageId, unsubscriptions: [topic] });
    await acked;
  }

  /** The barrier: resolves once the broker answered every packet sent before it. */
  async ping(): Promise<void> {
    const answered = this.wait('pingresp', 0);
    this.send({ cmd: 'pingreq' });
    await answered;
  }

  /** A normal DISCONNECT (the will, if any, is discarded), then wait for the close. */
  async disconnect(): Promise<void> {
    if (this.closedWhy === undefined) {
      this.socket.end(generate({ cmd: 'disconnect' }, { protocolVersion: this.version }));
    }
    await this.closed;
  }

  /** An unexpected loss of the connection: a broker publishes the will. */
  async drop(): Promise<void> {
    this.socket.destroy();
    await this.closed;
  }

  private id(): number {
    this.nextId = (this.nextId % 65_535) + 1;
    return this.nextId;
  }

  private send(packet: Packet): void {
    this.socket.write(generate(packet, { protocolVersion: this.version }));
  }

  private wait(cmd: Packet['cmd'], messageId: number): Promise<Packet> {
    return new Promise((resolve, reject) => {
      if (this.closedWhy !== undefined) {
        reject(new Error(`${cmd}: ${this.closedWhy}`));
        return;
      }
      const key = `${cmd}:${messageId}`;
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.set(
            key,
            (this.waiters.get(key) ?? []).filter((w) => w !== waiter),
          );
          reject(new Error(`no ${cmd.toUpperCase()} within ${DEADLINE_MS} ms`));
        }, DEADLINE_MS),
      };
      this.waiters.set(key, [...(this.waiters.get(key) ?? []), waiter]);
    });
  }

  private onPacket(p: Packet): void {
    if (p.cmd === 'connack') {
      this.connack = (this.version === 5 ? p.reasonCode : p.returnCode) ?? -1;
    }
    if (p.cmd === 'publish') {
      this.received.push(p);
      if (p.qos === 1) this.send({ cmd: 'puback', messageId: p.messageId });
      return;
    }
    const key = `${p.cmd}:${'messageId' in p ? (p.messageId ?? 0) : 0}`;
    const waiter = this.waiters.get(key)?.shift();
    if (!waiter) return;
    clearTimeout(waiter.timer);
    waiter.resolve(p);
  }

  private fail(why: string): void {
    this.closedWhy ??= why;
    for (const waiters of this.waiters.values()) {
      for (const w of waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(new Error(why));
      }
    }
  }
}

/**
 * Connect and wait for the CONNACK (or the close that replaces it): `client.connack` says which.
 * The caller disconnects; an accepted client the test forgets is destroyed with its socket.
 */
export async function connectClient(ep: Endpoint, login: Login): Promise<Client> {
  const socket = ep.tls
    ? tlsConnect({ host: '127.0.0.1', port: ep.port, servername: 'localhost', ...ep.tls })
    : tcpConnect({ host: '127.0.0.1', port: ep.port });
  const client = new Client(socket, login.version);
  const answered = new Promise<void>((resolve) => {
    socket.on('data', () => client.connack !== null && resolve());
    void client.closed.then(resolve);
  });
  socket.write(
    generate(
      {
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: login.version,
        clean: true,
        keepalive: 60,
        clientId: login.clientId,
        ...(login.username !== undefined ? { username: login.username } : {}),
        ...(login.will
          ? {
              will: {
                topic: login.will.topic,
                payload: Buffer.from(login.will.payload),
                qos: 0 as const,
                retain: false,
              },
            }
          : {}),
      },
      { protocolVersion: login.version },
    ),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    answered,
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, DEADLINE_MS);
    }),
  ]);
  clearTimeout(timer);
  return client;
}
