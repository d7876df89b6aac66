// Captures for the tests of this folder: conversations built from MQTT packets (mqtt-packet is the
// encoder, not our code) or TLS chunks, framed by the synthesizer and written as pcapng.
import { generate, type Packet } from 'mqtt-packet';
import {
  type ConversationEvent,
  encodePcap,
  encodePcapng,
  synthesizeConversations,
  type Conversation,
} from '../pcap/index.js';
import type { TestCertificates } from '../tls/certs.case.js';
import { tls12Connection, tls13Connection } from '../tls/golden.case.js';
import type { TlsStreamChunk } from '../tls/index.js';

export const T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z, in µs
export const READING = JSON.stringify({ temperature: 23.4, humidity: 41.2, pressure: 1009.8, seq: 7 });

export type Step = readonly ['c2s' | 's2c', number, Uint8Array] | readonly ['close', number];

export const mqtt = (p: Packet, protocolVersion: 3 | 4 | 5 = 4): Uint8Array =>
  new Uint8Array(generate(p, { protocolVersion }));

/** A conversation: connect at T0, then each step at T0 + ms, FIN both ways after the last. */
export function conversation(steps: readonly Step[], port = 1883, clientPort = 50000): Conversation {
  const at = (ms: number) => T0 + Math.round(ms * 1000);
  const events: ConversationEvent[] = [{ type: 'connect', timestampUs: T0 }];
  let last = 0;
  for (const s of steps) {
    last = Math.max(last, s[1]);
    if (s[0] === 'close') continue;
    events.push({
      type: 'data',
      direction: s[0] === 'c2s' ? 'client-to-server' : 'server-to-client',
      timestampUs: at(s[1]),
      data: new Uint8Array(s[2]),
    });
  }
  events.push({ type: 'close', direction: 'client-to-server', timestampUs: at(last + 1) });
  events.push({ type: 'close', direction: 'server-to-client', timestampUs: at(last + 2) });
  return {
    client: { ip: '10.0.0.2', port: clientPort },
    server: { ip: '10.0.0.1', port },
    events,
  };
}

export function pcapng(...conversations: Conversation[]): Uint8Array {
  return encodePcapng(synthesizeConversations(conversations));
}

export function pcap(...conversations: Conversation[]): Uint8Array {
  return encodePcap(synthesizeConversations(conversations));
}

/** TLS chunks (as the dissector's tests build them) as steps, time in ms from their µs. */
export function tlsSteps(chunks: readonly TlsStreamChunk[]): Step[] {
  return chunks.map((c) => [c.direction, c.timestampUs / 1000, c.bytes] as const);
}

/** The lab sheet's Step 1: plaintext MQTT 3.1.1 with a password, a subscription and telemetry. */
export function step1Session(): Step[] {
  return [
    [
      'c2s',
      1,
      mqtt({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId: 'm5go-01',
        username: 'dupont',
        password: Buffer.from('s3cret!'),
        clean: true,
        keepalive: 60,
        will: { topic: 'm5go/status', payload: Buffer.from('offline'), qos: 1, retain: true },
      }),
    ],
    ['s2c', 2, mqtt({ cmd: 'connack', returnCode: 0, sessionPresent: false })],
    ['c2s', 3, mqtt({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'm5go/cmd/#', qos: 1 }] })],
    ['s2c', 4, mqtt({ cmd: 'suback', messageId: 1, granted: [1] })],
    ...[0, 1, 2].map((i): Step => [
      'c2s',
      1000 + 2000 * i,
      mqtt({ cmd: 'publish', topic: 'm5go/env', payload: READING, qos: 0, retain: false, dup: false }),
    ]),
    [
      'c2s',
      6000,
      mqtt({
        cmd: 'publish',
        topic: 'm5go/env',
        payload: READING,
        qos: 1,
        messageId: 9,
        retain: true,
        dup: false,
      }),
    ],
    ['s2c', 6001, mqtt({ cmd: 'puback', messageId: 9 })],
    ['c2s', 6002, mqtt({ cmd: 'disconnect' })],
  ];
}

/** Three connections in one capture: mutual TLS 1.2, the Step 1 session in clear, TLS 1.3. */
export function mixedConversations(certs: TestCertificates): {
  tls12: Conversation;
  step1: Conversation;
  tls13: Conversation;
} {
  return {
    tls12: conversation(tlsSteps(tls12Connection([certs.broker, certs.ca], [certs.device])), 8883, 50001),
    step1: conversation(step1Session()),
    tls13: conversation(tlsSteps(tls13Connection({ c2s: [64, 900], s2c: [4] })), 8883, 50002),
  };
}
