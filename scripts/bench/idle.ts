// Row E: memory per idle mTLS connection. Connections are opened `concurrency` at a time, each
// CONNECTed with keepalive 600 s (no PINGREQ during the measurement), then left idle.
import type { RunningBroker } from './brokers.js';
import type { Env } from './clients.js';
import type { Measure } from './throughput.js';
import { connectMqtt } from './wire.js';
import { sleep } from './util.js';

export async function idleRun(
  env: Env,
  broker: RunningBroker,
  count: number,
  concurrency: number,
): Promise<[Measure, Measure]> {
  await sleep(500);
  const before = broker.rssKiB();
  let next = 0;
  const lane = async () => {
    while (next < count) await connectMqtt({ ...env, clientId: `idle-${next++}`, keepalive: 600 });
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  // Let the broker settle (a garbage-collected broker may still be freeing handshake garbage).
  await sleep(1500);
  const after = broker.rssKiB();
  const extra = { connections: count, rssBeforeKiB: before, rssAfterKiB: after };
  return [
    { value: (after - before) / count, extra },
    { value: after / 1024, extra },
  ];
}
