// Persistence under SIGKILL: the broker process is killed mid-stream and restarted; nothing a
// publisher saw acknowledged may be lost, and QoS 2 may not be delivered twice.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { startBroker } from '../helpers/brokers.js';
import { tempDir } from '../helpers/openssl.js';
import { freePort } from '../helpers/process.js';

const TOTAL = 10_000;

function connect(port: number, clientId: string, clean: boolean): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect({
      host: '127.0.0.1',
      port,
      clientId,
      clean,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

const until = async (what: string, ms: number, done: () => boolean) => {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** A plain loopback listener with persistence in `dir/store`. */
function persistentConf(port: number, dir: string, extra: readonly string[] = []): string {
  return [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence true',
    `persistence_location ${join(dir, 'store')}`,
    ...extra,
    '',
  ].join('\n');
}

test('kill -9 mid-stream: every acknowledged QoS 1 and QoS 2 message reaches the offline subscriber after restart, QoS 2 exactly once, retained messages kept', async (t) => {
  const dir = tempDir(t, 'durability-');
  const port = await freePort();
  const conf = persistentConf(port, dir, [
    'persistence_fsync interval',
    // The subscriber is away for the whole stream: its queue must hold all of it.
    'max_queued_messages 30000',
  ]);
  let broker = await startBroker(t, 'mqtts-lab', dir, conf, port);

  // A persistent subscriber subscribes, then goes away.
  const sub = await connect(port, 'durable-sub', false);
  await sub.subscribeAsync({ 'lab/q1': { qos: 1 }, 'lab/q2': { qos: 2 } });
  await sub.endAsync();

  const publisher = await connect(port, 'publisher', true);
  for (let i = 0; i < 20; i++) {
    await publisher.publishAsync(`lab/retained/${i}`, `r${i}`, { qos: 1, retain: true });
  }
  const acked1 = new Set<number>();
  const acked2 = new Set<number>();
  publisher.on('error', () => {});
  // Paced, so the kill lands mid-stream: part acknowledged, part in flight, part not yet sent.
  let killed = false;
  const stream = (async () => {
    for (let i = 0; i < TOTAL && !killed; i++) {
      publisher.publish('lab/q1', `${i}`, { qos: 1 }, (err) => {
        if (!err) acked1.add(i);
      });
      if (i % 4 === 0) {
        publisher.publish('lab/q2', `${i}`, { qos: 2 }, (err) => {
          if (!err) acked2.add(i);
        });
      }
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 2));
    }
  })();
  await until('acknowledgements', 30_000, () => acked1.size >= 2500 && acked2.size >= 200);
  killed = true;
  broker.child.kill('SIGKILL');
  await broker.exited;
  await stream;
  publisher.end(true);
  const ackedAtKill = { q1: new Set(acked1), q2: new Set(acked2) };
  assert.ok(ackedAtKill.q1.size < TOTAL, 'the broker was killed before the stream ended');

  broker = await startBroker(t, 'mqtts-lab', dir, conf, port);
  const got1 = new Map<number, number>();
  const got2 = new Map<number, number>();
  const back = mqtt.connect({
    host: '127.0.0.1',
    port,
    clientId: 'durable-sub',
    clean: false,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  t.after(() => back.end(true));
  back.on('message', (topic, payload) => {
    const n = Number(payload.toString());
    const into = topic === 'lab/q1' ? got1 : got2;
    into.set(n, (into.get(n) ?? 0) + 1);
  });
  await until('the queued messages', 60_000, () => {
    return [...ackedAtKill.q1].every((n) => got1.has(n)) && [...ackedAtKill.q2].every((n) => got2.has(n));
  });
  // Let any duplicate that would come arrive.
  await new Promise((r) => setTimeout(r, 300));
  const duplicates2 = [...got2].filter(([, count]) => count > 1);
  assert.deepEqual(duplicates2, [], 'QoS 2 delivered exactly once');
  assert.ok(ackedAtKill.q2.size > 0, 'some QoS 2 messages were acknowledged before the kill');

  const reader = await connect(port, 'reader', true);
  t.after(() => reader.end(true));
  const retained = new Set<string>();
  reader.on('message', (_topic, payload, packet) => {
    if (packet.retain) retained.add(payload.toString());
  });
  await reader.subscribeAsync('lab/retained/#', { qos: 1 });
  await until('retained messages', 10_000, () => retained.size === 20);
  t.diagnostic(
    `acknowledged before SIGKILL: QoS 1 ${ackedAtKill.q1.size}/${TOTAL}, QoS 2 ${ackedAtKill.q2.size}/${TOTAL / 4}; ` +
      `delivered after restart: QoS 1 ${got1.size}, QoS 2 ${got2.size}`,
  );
  assert.match(broker.log(), /Restoring persistent database/);
  // Message payloads are in it: readable by the broker's user only.
  assert.equal(statSync(join(dir, 'store', 'mosquitto.db')).mode & 0o777, 0o600);
});

test('a damaged store: the broker reports what it dropped, keeps what is intact, and starts', async (t) => {
  const dir = tempDir(t, 'damaged-');
  const port = await freePort();
  const conf = persistentConf(port, dir);
  let broker = await startBroker(t, 'mqtts-lab', dir, conf, port);
  const c = await connect(port, 'p', true);
  for (let i = 0; i < 5; i++) await c.publishAsync(`keep/${i}`, `v${i}`, { qos: 1, retain: true });
  await c.endAsync();
  broker.child.kill('SIGKILL');
  await broker.exited;
  // A torn write at the end: half a record.
  const { appendFileSync } = await import('node:fs');
  appendFileSync(join(dir, 'store', 'mosquitto.db'), Buffer.from([0xa5, 0x01, 0x00, 0x00, 0x01, 0x00, 0x41]));
  broker = await startBroker(t, 'mqtts-lab', dir, conf, port);
  await until('the damage report', 5000, () => /was damaged: 1 damaged region/.test(broker.log()));
  const reader = await connect(port, 'r', true);
  t.after(() => reader.end(true));
  const seen = new Set<string>();
  reader.on('message', (_t, payload) => seen.add(payload.toString()));
  await reader.subscribeAsync('keep/#', { qos: 1 });
  await until('the intact retained messages', 5000, () => seen.size === 5);
});
