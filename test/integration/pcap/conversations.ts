// The two conversations the oracle looks at: plain MQTT 3.1.1 on 1883, built with mqtt-packet and
// framed by our synthesizer, and real TLS on 8883 recorded by the capture relay.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { generate, type Packet } from 'mqtt-packet';
import { startCaptureRelay } from '../../../src/wire/capture/index.js';
import type { Conversation, ConversationEvent } from '../../../src/wire/pcap/index.js';
import { join, openssl } from '../../helpers/openssl.js';

export const READING = JSON.stringify({ temperature: 23.4, humidity: 41.2, pressure: 1009.8 });
const mqtt = (p: Packet) => new Uint8Array(generate(p, { protocolVersion: 4 }));

export const MQTT_CONNECT = mqtt({
  cmd: 'connect',
  protocolId: 'MQTT',
  protocolVersion: 4,
  clientId: 'm5go-01',
  clean: true,
  keepalive: 60,
});
export const MQTT_CONNACK = mqtt({ cmd: 'connack', returnCode: 0, sessionPresent: false });

/** CONNECT, CONNACK, PUBLISH QoS 1 + PUBACK, a PUBLISH larger than three segments, DISCONNECT, FINs. */
export function mqttConversation(t0: number): Conversation {
  const at = (ms: number) => t0 + ms * 1000;
  const c2s = (ms: number, p: Packet, comment?: string): ConversationEvent => ({
    type: 'data',
    direction: 'client-to-server',
    timestampUs: at(ms),
    data: mqtt(p),
    ...(comment === undefined ? {} : { comment }),
  });
  return {
    client: { ip: '10.0.0.2', port: 50000 },
    server: { ip: '10.0.0.1', port: 1883 },
    events: [
      { type: 'connect', timestampUs: at(0) },
      { type: 'data', direction: 'client-to-server', timestampUs: at(1), data: MQTT_CONNECT },
      { type: 'data', direction: 'server-to-client', timestampUs: at(2), data: MQTT_CONNACK },
      c2s(
        3,
        {
          cmd: 'publish',
          topic: 'm5go/env',
          payload: READING,
          qos: 1,
          messageId: 1,
          retain: false,
          dup: false,
        },
        'ENV II reading',
      ),
      {
        type: 'data',
        direction: 'server-to-client',
        timestampUs: at(4),
        data: mqtt({ cmd: 'puback', messageId: 1 }),
      },
      c2s(5, {
        cmd: 'publish',
        topic: 'm5go/env',
        payload: Buffer.alloc(4000, 0x2e),
        qos: 0,
        retain: false,
        dup: false,
      }),
      c2s(6, { cmd: 'disconnect' }),
      { type: 'close', direction: 'client-to-server', timestampUs: at(7) },
      { type: 'close', direction: 'server-to-client', timestampUs: at(8) },
    ],
  };
}

/**
 * A real Node TLS server and client (self-signed P-256 certificate made by openssl now), the
 * client connecting through the capture relay; MQTT CONNECT/CONNACK inside the tunnel.
 */
export async function tlsThroughRelay(dir: string): Promise<Conversation[]> {
  const key = join(dir, 'server.key');
  const cert = join(dir, 'server.crt');
  const r = openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
  ]);
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (s) => {
    s.once('data', () => s.write(MQTT_CONNACK));
    s.on('end', () => s.end());
    s.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const relay = await startCaptureRelay({
    upstreamHost: '127.0.0.1',
    upstreamPort: (server.address() as AddressInfo).port,
    capture: { server: { ip: '10.0.0.1', port: 8883 }, clientIp: '10.0.0.3' },
  });
  try {
    const client = connect({
      host: '127.0.0.1',
      port: relay.port,
      ca: readFileSync(cert),
      servername: 'localhost',
    });
    await once(client, 'secureConnect');
    client.write(MQTT_CONNECT);
    await once(client, 'data'); // the CONNACK
    const closed = new Promise((done) => client.once('close', done));
    client.end();
    await closed;
  } finally {
    await relay.close();
    await new Promise<void>((done) => server.close(() => done()));
  }
  if (relay.errors.length > 0)
    throw new Error(`relay errors: ${relay.errors.map((e) => String(e.error)).join('; ')}`);
  return relay.recording.conversations();
}
