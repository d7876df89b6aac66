// The load generator's MQTT 3.1.1 over mTLS: packets are encoded once with mqtt-packet, incoming
// bytes go through a minimal incremental framer (no packet objects, no MQTT.js: at hundreds of
// thousands of messages per second the client must not be the bottleneck). Every socket sets
// TCP_NODELAY: with Nagle on the client and delayed ACK on the broker, each connect would stall.
import { readFileSync } from 'node:fs';
import { type SecureContext, type TLSSocket, connect, createSecureContext } from 'node:tls';
import { generate } from 'mqtt-packet';
import { type Scope, deferred, withTimeout } from './util.js';

export const PUBLISH = 3;
export const CONNACK = 2;
export const PUBACK = 4;
export const SUBACK = 9;
export const DISCONNECT_PACKET = Buffer.from([0xe0, 0x00]);

export interface ClientIdentity {
  readonly cafile: string;
  readonly cert: string;
  readonly key: string;
}

/** One SecureContext per identity, reused by every connection (no PEM parsing per connect). */
export function clientContext(id: ClientIdentity): SecureContext {
  return createSecureContext({
    ca: readFileSync(id.cafile),
    cert: readFileSync(id.cert),
    key: readFileSync(id.key),
  });
}

/** Called once per complete packet; the packet body (after the fixed header) is buf[start, end). */
export type PacketHandler = (type: number, flags: number, buf: Buffer, start: number, end: number) => void;

/** Splits a byte stream into MQTT packets without copying unless a packet spans two chunks. */
export class PacketReader {
  private pending: Buffer | null = null;

  constructor(public handler: PacketHandler) {}

  push(chunk: Buffer): void {
    const buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    const n = buf.length;
    let off = 0;
    while (n - off >= 2) {
      const b0 = buf[off]!;
      let len = 0;
      let mult = 1;
      let i = off + 1;
      let complete = false;
      for (let k = 0; k < 4 && i < n; k++) {
        const d = buf[i++]!;
        len += (d & 0x7f) * mult;
        mult *= 128;
        if ((d & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || i + len > n) break;
      this.handler(b0 >> 4, b0 & 0x0f, buf, i, i + len);
      off = i + len;
    }
    this.pending = off < n ? buf.subarray(off) : null;
  }
}

export interface Conn {
  readonly socket: TLSSocket;
  readonly reader: PacketReader;
}

export interface ConnectOptions {
  readonly port: number;
  readonly context: SecureContext;
  readonly clientId: string;
  readonly keepalive?: number;
  readonly scope: Scope;
  readonly timeoutMs?: number;
}

/** TLS handshake (client certificate), CONNECT, wait for a successful CONNACK. */
export async function connectMqtt(o: ConnectOptions): Promise<Conn> {
  const socket = o.scope.add(
    connect({ host: '127.0.0.1', port: o.port, secureContext: o.context, servername: 'localhost' }),
  );
  socket.setNoDelay(true);
  const connack = deferred();
  const reader = new PacketReader((type, _flags, buf, start) => {
    if (type !== CONNACK) return connack.reject(new Error(`expected CONNACK, got packet type ${type}`));
    const rc = buf[start + 1];
    if (rc === 0) connack.resolve();
    else connack.reject(new Error(`CONNACK return code ${rc}`));
  });
  socket.on('data', (d: Buffer) => reader.push(d));
  socket.once('error', (e) => connack.reject(e));
  socket.once('close', () => connack.reject(new Error('connection closed before CONNACK')));
  socket.once('secureConnect', () => socket.write(connectPacket(o.clientId, o.keepalive ?? 600)));
  await withTimeout(connack.promise, o.timeoutMs ?? 10_000, `CONNACK for ${o.clientId}`);
  return { socket, reader };
}

export function connectPacket(clientId: string, keepalive: number): Buffer {
  return generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId,
    keepalive,
  });
}

/** SUBSCRIBE and wait for a SUBACK granting it; `then` becomes the reader's handler afterwards. */
export async function subscribe(conn: Conn, topic: string, qos: 0 | 1, then: PacketHandler): Promise<void> {
  const suback = deferred();
  conn.reader.handler = (type, _flags, buf, _start, end) => {
    if (type !== SUBACK) return;
    const granted = buf[end - 1];
    if (granted === 0x80) suback.reject(new Error(`SUBSCRIBE ${topic} refused`));
    else suback.resolve();
    conn.reader.handler = then;
  };
  conn.socket.write(generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos }] }));
  await withTimeout(suback.promise, 10_000, `SUBACK for ${topic}`);
}

/**
 * `count` PUBLISH packets of one topic and a `payloadSize`-byte payload, back to back in one buffer.
 * Each packet has the same length, so packets [i, j) are buf.subarray(i * size, j * size). QoS 1
 * packet identifiers run 1..65535 and wrap (the in-flight window is far below 65535).
 */
export function encodePublishes(
  topic: string,
  count: number,
  qos: 0 | 1,
  payloadSize: number,
): { buf: Buffer; size: number } {
  const payload = Buffer.alloc(payloadSize, 0x61);
  const one = generate({ cmd: 'publish', topic, payload, qos, messageId: 1, retain: false, dup: false });
  const size = one.length;
  const buf = Buffer.allocUnsafe(size * count);
  const idAt = size - payloadSize - 2;
  for (let i = 0; i < count; i++) {
    one.copy(buf, i * size);
    if (qos === 1) buf.writeUInt16BE((i % 65535) + 1, i * size + idAt);
  }
  return { buf, size };
}

/** Offset of the payload in a PUBLISH body that starts at `start` (topic, then id when QoS > 0). */
export function payloadOffset(flags: number, buf: Buffer, start: number): number {
  const topicLen = buf.readUInt16BE(start);
  return start + 2 + topicLen + (((flags >> 1) & 3) > 0 ? 2 : 0);
}

/** PUBACKs for the packet ids, in one buffer, so a whole chunk is acknowledged by one write. */
export function pubacks(ids: number[]): Buffer {
  const out = Buffer.allocUnsafe(ids.length * 4);
  for (let i = 0; i < ids.length; i++) {
    out[i * 4] = 0x40;
    out[i * 4 + 1] = 0x02;
    out.writeUInt16BE(ids[i]!, i * 4 + 2);
  }
  return out;
}

/** Write and resolve when the socket can take more (respects backpressure). */
export function writeAll(socket: TLSSocket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return reject(new Error('socket closed'));
    if (socket.write(data)) return resolve();
    const onDrain = () => {
      socket.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      socket.off('drain', onDrain);
      reject(new Error('socket closed while writing'));
    };
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}
