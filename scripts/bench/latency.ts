// Row F: end-to-end latency at a steady rate, QoS 0. Publisher and subscriber live in this process,
// so the timestamp (process.hrtime.bigint, first 8 payload bytes) needs no clock sync. Each message
// is its own write, hence its own TLS record, like a device's. The first WARM_UP_SECONDS of traffic,
// at the same rate, are a warm-up for both ends (a fresh process compiles its hot path meanwhile)
// and are not counted.
import { type Env, Subscriber, waitReceived } from './clients.js';
import type { Measure } from './throughput.js';
import { connectMqtt, encodePublishes } from './wire.js';
import { quantile, sleep } from './util.js';

const PAYLOAD = 64;
const WARM_UP_SECONDS = 2;

export async function latencyRun(env: Env, rate: number, seconds: number): Promise<[Measure, Measure]> {
  const topic = 'bench/latency';
  const warm = Math.round(rate * WARM_UP_SECONDS);
  const total = warm + Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  let received = 0;
  const sub = await Subscriber.open(env, 'sub-latency', topic, 0, (buf, offset) => {
    const sentAt = buf.readBigUInt64BE(offset);
    if (received < total) latencies[received++] = Number(process.hrtime.bigint() - sentAt) / 1e6;
  });
  const pub = await connectMqtt({ ...env, clientId: 'pub-latency' });
  const { buf: template, size } = encodePublishes(topic, 1, 0, PAYLOAD);
  const at = size - PAYLOAD;
  const start = process.hrtime.bigint();
  let sent = 0;
  while (sent < total && !env.scope.isClosed) {
    const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
    const due = Math.min(total, Math.floor((elapsedMs * rate) / 1000));
    for (; sent < due; sent++) {
      const packet = Buffer.from(template);
      packet.writeBigUInt64BE(process.hrtime.bigint(), at);
      pub.socket.write(packet);
    }
    await sleep(1);
  }
  await waitReceived([sub], total, () => true, 1000);
  const sorted = latencies.slice(warm, received).sort();
  const extra = {
    sent: total,
    warmUp: warm,
    received,
    lost: total - received,
    p90: round(quantile(sorted, 0.9)),
    p999: round(quantile(sorted, 0.999)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
  return [
    { value: quantile(sorted, 0.5), loss: total - received, extra },
    { value: quantile(sorted, 0.99), loss: total - received, extra },
  ];
}

const round = (x: number): number => Number(x.toFixed(3));
