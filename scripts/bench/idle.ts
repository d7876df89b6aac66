// Row E: memory per idle mTLS connection. Connections are opened `concurrency` at a time, each
// CONNECTed with keepalive 600 s (no PINGREQ during the measurement), then left idle.
//
// Warm-up: before the baseline, every broker carries the same short QoS 0 burst (one publisher,
// one subscriber, both closed again). A garbage-collected broker touches the pages of its young
// generation lazily: V8's new space (up to 2 × 16 MiB) becomes resident under any traffic and
// stays so, whatever the connection count. Measured from a cold process, that fixed cost was
// charged to the idle connections (≈ 8 KiB each of 2,000). Mosquitto is measured the same way.
import type { RunningBroker } from './brokers.js';
import { BatchPublisher, type Env, Subscriber, waitReceived } from './clients.js';
import type { Measure } from './throughput.js';
import { DISCONNECT_PACKET, connectMqtt } from './wire.js';
import { sleep } from './util.js';

export const WARM_UP_MESSAGES = 50_000;

export async function idleRun(
  env: Env,
  broker: RunningBroker,
  count: number,
  concurrency: number,
): Promise<[Measure, Measure]> {
  const coldKiB = broker.rssKiB();
  await warmUp(env);
  await sleep(1000);
  const before = broker.rssKiB();
  let next = 0;
  const lane = async () => {
    while (next < count) await connectMqtt({ ...env, clientId: `idle-${next++}`, keepalive: 600 });
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  // Let the broker settle (a garbage-collected broker may still be freeing handshake garbage).
  await sleep(1500);
  const after = broker.rssKiB();
  const extra = { connections: count, rssColdKiB: coldKiB, rssBeforeKiB: before, rssAfterKiB: after };
  return [
    { value: (after - before) / count, extra },
    { value: after / 1024, extra },
  ];
}

/** A QoS 0 burst through the broker, then both clients disconnect. */
async function warmUp(env: Env): Promise<void> {
  const topic = 'bench/warm-up';
  const sub = await Subscriber.open(env, 'warm-up-sub', topic, 0);
  const pub = await BatchPublisher.open(env, 'warm-up-pub', {
    topic,
    count: WARM_UP_MESSAGES,
    qos: 0,
    payloadSize: 64,
    window: 1000,
  });
  await pub.run();
  await waitReceived([sub], WARM_UP_MESSAGES, () => pub.done);
  for (const conn of [sub.conn, pub.conn]) conn.socket.end(DISCONNECT_PACKET);
}
