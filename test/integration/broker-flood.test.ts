// A 200,000-message QoS 1 flood to one subscriber through the broker at its default limits
// (max_queued_messages 1000, queue_full_policy block): the publisher is slowed, nothing is lost.
// Mosquitto 2.0.11 at its defaults drops what overflows its queue (see scripts/bench-flood.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { startBroker } from '../helpers/brokers.js';
import { tempDir } from '../helpers/openssl.js';
import { freePort } from '../helpers/process.js';

const FLOOD = 200_000;

function connect(port: number, clientId: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect({ host: '127.0.0.1', port, clientId, protocolVersion: 4, reconnectPeriod: 0 });
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
}

test(`${FLOOD} QoS 1 messages flooded at one subscriber: zero loss, zero drops`, async (t) => {
  const dir = tempDir(t, 'flood-');
  const port = await freePort();
  const broker = await startBroker(
    t,
    'mqtts-lab',
    dir,
    `listener ${port} 127.0.0.1\nallow_anonymous true\n`,
    port,
  );
  const sub = await connect(port, 'flood-sub');
  const pub = await connect(port, 'flood-pub');
  t.after(() => {
    sub.end(true);
    pub.end(true);
  });
  const seen = new Uint8Array(FLOOD);
  let unique = 0;
  const all = new Promise<void>((resolve) => {
    sub.on('message', (_topic, payload) => {
      const n = payload.readUInt32BE(0);
      if (seen[n] === 0) {
        seen[n] = 1;
        if (++unique === FLOOD) resolve();
      }
    });
  });
  await sub.subscribeAsync('flood/x', { qos: 1 });
  let acked = 0;
  const started = Date.now();
  // Up to 20,000 unacknowledged at once (MQTT.js loses callbacks past its 65,535 packet
  // identifiers): twenty times what the subscriber's queue and window hold, so it is a flood.
  let waiting: (() => void) | undefined;
  for (let i = 0; i < FLOOD; i++) {
    while (i - acked >= 20_000) await new Promise<void>((resolve) => (waiting = resolve));
    const payload = Buffer.alloc(16);
    payload.writeUInt32BE(i, 0);
    pub.publish('flood/x', payload, { qos: 1 }, (err) => {
      if (!err) acked++;
      waiting?.();
      waiting = undefined;
    });
  }
  await Promise.race([
    all,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`only ${unique}/${FLOOD} delivered after 120 s`)), 120_000).unref(),
    ),
  ]);
  const ms = Date.now() - started;
  assert.equal(unique, FLOOD);
  // Every publish is acknowledged too.
  for (let waited = 0; acked < FLOOD && waited < 60_000; waited += 20)
    await new Promise((r) => setTimeout(r, 20));
  assert.equal(acked, FLOOD);
  t.diagnostic(`${FLOOD} delivered in ${ms} ms (${Math.round(FLOOD / (ms / 1000))} msg/s), all acknowledged`);
  assert.doesNotMatch(broker.log(), /being dropped/);
});
