import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as tcpConnect } from 'node:net';
import { test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { generate, type Packet } from 'mqtt-packet';
import { Broker } from '../../src/broker/broker.js';
import { startListener } from '../../src/broker/listeners/net.js';
import { mulberry32 as prng } from '../helpers/prng.js';

// Random and mutated packets over raw TCP while two MQTT.js clients keep talking: the broker must
// neither crash nor leak, and must keep serving the clients that behave.

const CONNECTIONS = 1500;
const FUZZED_PER_CONNECTION = 70; // 105 000 fuzzed packets, plus the valid ones around them
const CONCURRENCY = 24;
const TOPIC = 'm5go/env';

// Reseeded per connection, so a connection's bytes do not depend on how the workers interleave.
let rand = prng(0);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
const text = (s: string) => Buffer.from(s);

/** Only `persistent` clients keep a session (and its queue) after they go, so the heap measures leaks. */
function connectPacket(version: 3 | 4 | 5, clientId: string, persistent = false): Packet {
  const clean = !persistent || rand() < 0.5;
  const base = { cmd: 'connect', clientId, keepalive: pick([0, 5, 60]), clean } as const;
  const will = { topic: 'fuzz/will', payload: text('gone'), qos: pick([0, 1, 2] as const), retain: true };
  if (version === 3) return { ...base, protocolId: 'MQIsdp', protocolVersion: 3 };
  if (version === 4)
    return { ...base, protocolId: 'MQTT', protocolVersion: 4, ...(rand() < 0.3 ? { will } : {}) };
  return {
    ...base,
    protocolId: 'MQTT',
    protocolVersion: 5,
    properties: {
      // Boundary values too: 2 147 484 s is the first whose milliseconds exceed a 32-bit timer.
      sessionExpiryInterval: persistent ? pick([0, 1, 30, 2_147_484, 0xffff_fffe, 0xffff_ffff]) : 0,
      receiveMaximum: pick([1, 10]),
      topicAliasMaximum: 4,
    },
    ...(rand() < 0.3 ? { will: { ...will, properties: { willDelayInterval: pick([0, 1]) } } } : {}),
  };
}

/** Valid packets a client may send after CONNECT; with `ending`, also ones that end the connection. */
function validPacket(version: 3 | 4 | 5, ending = true): Packet {
  const messageId = 1 + int(65_535);
  const qos = pick([0, 1, 2] as const);
  const v5 = version === 5;
  const topic = pick(['fuzz/a', 'fuzz/b/c', 'fuzz/é', '$SYS/x', TOPIC]);
  // Mostly packets that keep the connection open; the ones that end it are rare, so batches go deep.
  const roll = int(ending ? 100 : 94);
  if (roll < 45) {
    const properties =
      v5 && rand() < 0.5 ? { topicAlias: 1 + int(5), userProperties: { k: 'v' } } : undefined;
    const payload = Buffer.alloc(pick([0, 10, 200]), 0x61);
    return { cmd: 'publish', topic, payload, qos, retain: rand() < 0.2, dup: false, messageId, properties };
  }
  if (roll < 60) {
    const filter = pick(['fuzz/#', '#', '+/+', '$share/g/fuzz/+', 'a/#/b', '']);
    const options = v5 ? { nl: rand() < 0.5, rap: rand() < 0.5, rh: int(3) } : {};
    const properties = v5 && rand() < 0.5 ? { subscriptionIdentifier: 1 + int(100) } : undefined;
    return { cmd: 'subscribe', messageId, subscriptions: [{ topic: filter, qos, ...options }], properties };
  }
  if (roll < 66) return { cmd: 'unsubscribe', messageId, unsubscriptions: ['fuzz/#', '#'] };
  if (roll < 84) return { cmd: pick(['puback', 'pubrec', 'pubrel', 'pubcomp'] as const), messageId };
  if (roll < 94) return { cmd: 'pingreq' };
  if (roll < 96) return v5 ? { cmd: 'disconnect', reasonCode: pick([0, 4]) } : { cmd: 'disconnect' };
  if (roll < 97 && v5) return { cmd: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'x' } };
  if (roll < 98) return { cmd: 'connack', sessionPresent: false, returnCode: 0, reasonCode: 0 };
  if (roll < 99) return { cmd: 'suback', messageId, granted: [0] };
  return connectPacket(version, 'second-connect');
}

function varint(value: number): Buffer {
  const out: number[] = [];
  let v = value;
  do {
    out.push((v % 128) | (v >= 128 ? 0x80 : 0));
    v = Math.floor(v / 128);
  } while (v > 0);
  return Buffer.from(out);
}

/** Tail flips (often still valid), bit flips, truncation, length rewrites, huge lengths, splices,
 * type swaps, or plain noise. */
function mutate(seed: Buffer): Buffer {
  const b = Buffer.from(seed);
  const at = () => int(b.length);
  const flip = (i: number) => (b[i] = b[i]! ^ (1 << int(8)));
  let bodyStart = 1;
  while (b[bodyStart]! & 0x80) bodyStart++;
  const body = b.subarray(bodyStart + 1);
  switch (int(10)) {
    case 8:
    case 9:
      flip(b.length - 1 - int(Math.min(4, body.length)));
      return b;
    case 0:
      for (let n = 1 + int(4); n > 0; n--) flip(at());
      return b;
    case 1:
      flip(int(Math.min(b.length, 6)));
      return b;
    case 2:
      return b.subarray(0, at());
    case 3: {
      const length = pick([0, 1, body.length - 1, body.length + 1, 127, 128, 16_384, int(300)]);
      return Buffer.concat([b.subarray(0, 1), varint(Math.max(0, length)), body]);
    }
    case 4: {
      // Above the 16 MB limit, just below it (the broker must wait, not allocate), and 5 bytes.
      const huge = pick(['ffffff7f', 'ffffffffff', '80808008', 'ffffff07', '8080808001']);
      return Buffer.concat([b.subarray(0, 1), Buffer.from(huge, 'hex'), body]);
    }
    case 5:
      return Buffer.from(Array.from({ length: 1 + int(80) }, () => int(256)));
    case 6: {
      const p = at();
      const noise = Buffer.from(Array.from({ length: int(6) }, () => int(256)));
      return Buffer.concat([b.subarray(0, p), noise, b.subarray(p + int(4))]);
    }
    default:
      b[0] = (int(16) << 4) | (b[0]! & 0x0f);
      return b;
  }
}

/** One raw connection's bytes (usually a valid CONNECT, then fuzzed packets among valid ones) in pieces. */
function batch(index: number): Buffer[] {
  rand = prng(0x5eed + index);
  const version = pick([3, 4, 5, 5] as const);
  // Some client ids are shared, so sessions are taken over while the old connection is mid-batch.
  const shared = rand() < 0.3;
  const clientId = shared ? pick(['shared-1', 'shared-2', 'shared-3']) : `fz-${index}`;
  const connect = generate(connectPacket(version, clientId, shared), { protocolVersion: version });
  const parts: Buffer[] = [];
  const start = rand();
  if (start < 0.85) parts.push(connect);
  else if (start < 0.95) parts.push(mutate(connect));
  // A third of the connections first run a long valid session, so the fuzz meets deep state.
  const valid = (ending = true) =>
    parts.push(generate(validPacket(version, ending), { protocolVersion: version }));
  if (rand() < 0.3) for (let n = 200 + int(200); n > 0; n--) valid(false);
  const validShare = rand() * 0.95;
  for (let n = 0; n < FUZZED_PER_CONNECTION; n++) {
    while (rand() < validShare) valid();
    parts.push(mutate(generate(validPacket(version), { protocolVersion: version })));
  }
  const bytes = Buffer.concat(parts);
  const pieces: Buffer[] = [];
  for (let at = 0, left = 1 + int(4); at < bytes.length; left--) {
    const end = left <= 1 ? bytes.length : at + int(bytes.length - at + 1);
    pieces.push(bytes.subarray(at, end));
    at = end;
  }
  return pieces;
}

async function fuzzConnection(port: number, pieces: Buffer[]): Promise<void> {
  const socket = tcpConnect({ port, host: '127.0.0.1' });
  socket.on('error', () => {}); // the broker closing on a malformed packet resets our writes
  socket.resume(); // read and discard, so a fuzz subscriber never holds the publishers back
  const closed = once(socket, 'close');
  for (const piece of pieces) socket.write(piece);
  socket.end();
  await closed;
}

async function connected(url: string, clientId: string, protocolVersion: 4 | 5): Promise<MqttClient> {
  const client = mqtt.connect(url, { clientId, protocolVersion, reconnectPeriod: 0, connectTimeout: 10_000 });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

test('the broker survives 100 000 random and mutated packets on raw TCP', { timeout: 60_000 }, async (t) => {
  const faults: string[] = [];
  const onFault = (e: unknown) => faults.push(String((e as Error)?.stack ?? e));
  const warnings = new Set<string>();
  const onWarning = (w: Error) => warnings.add(`${w.name}: ${w.message}`);
  process.on('uncaughtException', onFault);
  process.on('unhandledRejection', onFault);
  process.on('warning', onWarning);
  const broker = new Broker({ sysInterval: 0 });
  const listener = await startListener(broker, {
    port: 0,
    host: '127.0.0.1',
    protocol: 'mqtt',
    maxConnections: -1,
  });
  const url = `mqtt://127.0.0.1:${listener.port}`;
  const subscriber = await connected(url, `good-sub-${process.pid}`, 5);
  const publisher = await connected(url, `good-pub-${process.pid}`, 4);
  t.after(async () => {
    process.off('uncaughtException', onFault);
    process.off('unhandledRejection', onFault);
    process.off('warning', onWarning);
    subscriber.end(true);
    publisher.end(true);
    await broker.close();
    await listener.close();
  });
  const lost: string[] = [];
  const watch = (name: string, client: MqttClient) => {
    client.on('close', () => lost.push(`${name} closed`));
    client.on('error', (e) => lost.push(`${name}: ${e.message}`));
  };
  watch('subscriber', subscriber);
  watch('publisher', publisher);
  const received: string[] = [];
  subscriber.on('message', (_topic, payload) => received.push(payload.toString()));
  await subscriber.subscribeAsync(TOPIC, { qos: 1 });

  await settle();
  const heapBefore = process.memoryUsage().heapUsed;
  let during = 0;
  const ticker = setInterval(() => {
    publisher.publishAsync(TOPIC, `during-${++during}`, { qos: 1 }).catch((e: Error) => lost.push(e.message));
  }, 50);
  let next = 0;
  let fuzzed = 0;
  const worker = async () => {
    while (next < CONNECTIONS) {
      await fuzzConnection(listener.port, batch(next++));
      fuzzed += FUZZED_PER_CONNECTION;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  clearInterval(ticker);
  const { publishReceived, publishSent, refused } = broker.stats;
  t.diagnostic(`${fuzzed} fuzzed packets over ${CONNECTIONS} connections`);
  t.diagnostic(`broker: ${publishReceived} PUBLISH in, ${publishSent} out, ${refused} CONNECT refused`);

  await until(() => broker.connections.size === 2, 10_000);
  assert.equal(broker.connections.size, 2, 'only the two well-behaved clients remain');
  await publisher.publishAsync(TOPIC, 'after', { qos: 1 });
  await until(() => received.includes('after'), 10_000);
  assert.ok(received.includes('after'), 'a message published after the fuzz arrives');
  assert.ok(received.filter((m) => m.startsWith('during-')).length > 0, 'messages flowed during the fuzz');
  await settle();
  const grown = process.memoryUsage().heapUsed - heapBefore;
  t.diagnostic(`heap grew by ${(grown / 1e6).toFixed(1)} MB; ${broker.sessions.size} sessions kept`);
  assert.ok(grown < 100e6, `heap grew by ${grown} bytes`);
  assert.deepEqual(lost, [], 'the well-behaved clients stay connected');
  assert.deepEqual(faults, [], 'no uncaught exception or unhandled rejection');
  assert.ok(fuzzed >= 100_000);
  // A TimeoutOverflowWarning means a timer got a delay of 2^31 ms or more, which Node runs after 1 ms.
  assert.deepEqual([...warnings], [], 'no process warnings');
});

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 500));
}

async function until(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
