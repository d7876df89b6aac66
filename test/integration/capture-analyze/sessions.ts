// Real sessions through the capture relay, written as capture files: mutual TLS (Node's TLS, i.e.
// OpenSSL) with periodic 64-byte writes, and a plaintext MQTT 3.1.1 exchange with a password.
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect as netConnect, createServer as netServer, type Server } from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { generate, type Packet } from 'mqtt-packet';
import { startCaptureRelay } from '../../../src/wire/capture/index.js';
import type { TlsFixtures } from '../../helpers/tls-fixtures.js';

export const WRITES = 6;
export const WRITE_SIZE = 64;
export const INTERVAL_MS = 80;
export const READING = JSON.stringify({ temperature: 23.4, humidity: 41.2, pressure: 1009.8 });
export const STEP1 = { clientId: 'm5go-01', username: 'dupont', password: 's3cret!', topic: 'm5go/env' };

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const mqtt = (p: Packet) => generate(p, { protocolVersion: 4 });

async function listening(server: Server | tls.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/**
 * One mutual-TLS connection through the relay (shown in the file as 10.0.0.2 → 10.0.0.1:8883):
 * the client writes WRITES records of WRITE_SIZE bytes, INTERVAL_MS apart, then closes.
 */
export async function tlsSession(
  fx: TlsFixtures,
  version: 'TLSv1.2' | 'TLSv1.3',
  file: string,
): Promise<void> {
  const read = (p: string) => readFileSync(p);
  const common = { minVersion: version, maxVersion: version, ca: read(fx.cafile) };
  let received = 0;
  const server = tls.createServer(
    {
      ...common,
      key: read(fx.server.key),
      cert: read(fx.server.cert),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (s) => {
      s.on('data', (d: Buffer) => (received += d.length));
      s.on('end', () => s.end());
      s.on('error', () => undefined);
    },
  );
  const relay = await startCaptureRelay({
    upstreamHost: '127.0.0.1',
    upstreamPort: await listening(server),
    capture: { server: { ip: '10.0.0.1', port: 8883 }, clientIp: '10.0.0.2' },
  });
  try {
    const client = tls.connect({
      ...common,
      host: '127.0.0.1',
      port: relay.port,
      servername: 'localhost',
      key: read(fx.client.key),
      cert: read(fx.client.cert),
    });
    await once(client, 'secureConnect');
    for (let i = 0; i < WRITES; i++) {
      if (i > 0) await sleep(INTERVAL_MS);
      client.write(Buffer.alloc(WRITE_SIZE, 0x30 + i)); // one write, one record
    }
    while (received < WRITES * WRITE_SIZE) await sleep(5);
    const closed = once(client, 'close');
    client.end();
    await closed;
  } finally {
    await relay.close();
    await new Promise<void>((done) => server.close(() => done()));
  }
  if (relay.errors.length > 0)
    throw new Error(`relay: ${relay.errors.map((e) => String(e.error)).join('; ')}`);
  writeFileSync(file, relay.toPcap());
}

/**
 * The lab sheet's Step 1 on the wire: CONNECT with username and password, CONNACK, three
 * PUBLISH of a JSON reading to m5go/env, DISCONNECT — through the relay, shown on port 1883.
 */
export async function plaintextSession(file: string): Promise<void> {
  const server = netServer((s) => {
    let first = true;
    s.on('data', () => {
      if (first) s.write(mqtt({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
      first = false;
    });
    s.on('end', () => s.end());
    s.on('error', () => undefined);
  });
  const relay = await startCaptureRelay({
    upstreamHost: '127.0.0.1',
    upstreamPort: await listening(server),
    capture: { server: { ip: '10.0.0.1', port: 1883 }, clientIp: '10.0.0.2' },
  });
  try {
    const client = netConnect(relay.port, '127.0.0.1');
    await once(client, 'connect');
    client.write(
      mqtt({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId: STEP1.clientId,
        username: STEP1.username,
        password: Buffer.from(STEP1.password),
        clean: true,
        keepalive: 60,
      }),
    );
    await once(client, 'data');
    for (let i = 0; i < 3; i++) {
      await sleep(20);
      client.write(
        mqtt({ cmd: 'publish', topic: STEP1.topic, payload: READING, qos: 0, retain: false, dup: false }),
      );
    }
    client.write(mqtt({ cmd: 'disconnect' }));
    const closed = once(client, 'close');
    client.end();
    await closed;
  } finally {
    await relay.close();
    await new Promise<void>((done) => server.close(() => done()));
  }
  writeFileSync(file, relay.toPcap());
}

/** A TCP echo server on 127.0.0.1, for `capture record`. */
export async function echoServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = netServer((s) => {
    s.pipe(s);
    s.on('error', () => undefined);
  });
  const port = await listening(server);
  return { port, close: () => new Promise<void>((done) => server.close(() => done())) };
}

export { join };
