// Rows A (QoS 0), B (QoS 1) and C (fan-out): one publisher, counting subscribers, exact counts.
import { spawn } from 'node:child_process';
import { BatchPublisher, type Env, Subscriber, waitReceived } from './clients.js';
import type { ClientIdentity } from './wire.js';
import { deferred, nowMs, sleep, withTimeout } from './util.js';

export const PAYLOAD = 64;
const MOSQUITTO_PUB = '/usr/bin/mosquitto_pub';
/** Lines written to mosquitto_pub ahead of the subscriber's count, and per write. */
export const LEAD = 10_000;
const BLOCK = 1000;

export interface Measure {
  readonly value: number;
  /** Messages (or deliveries) that never arrived. */
  readonly loss?: number;
  readonly extra?: Readonly<Record<string, number | string>>;
}

function rate(received: number, t0: number, last: number, loss: number): Measure {
  if (received === 0) return { value: 0, loss, extra: { received } };
  const seconds = (last - t0) / 1000;
  return { value: received / seconds, loss, extra: { received, seconds: round(seconds) } };
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** A1/B1: the batching publisher → one subscriber. */
export async function batchingRun(env: Env, count: number, qos: 0 | 1, window: number): Promise<Measure> {
  const topic = `bench/${qos}/batch`;
  const sub = await Subscriber.open(env, `sub-batch-${qos}`, topic, qos);
  const pub = await BatchPublisher.open(env, `pub-batch-${qos}`, {
    topic,
    count,
    qos,
    payloadSize: PAYLOAD,
    window,
  });
  const t0 = nowMs();
  const published = pub.run();
  published.catch(() => undefined);
  await waitReceived([sub], count, () => pub.done);
  await withTimeout(published, 5000, 'the last PUBACKs');
  return rate(sub.count, t0, sub.lastAt, count - sub.count);
}

/**
 * A2/B2: `mosquitto_pub -l`, one line per message, one message per TLS record (how devices
 * publish). The clock starts when a first warm-up line has arrived at the subscriber (so process
 * start and handshake are not counted), then `count` lines follow on stdin, at most `LEAD` ahead
 * of what the subscriber has received. Without that bound mosquitto_pub reads all of stdin at
 * once and queues it; at QoS 1 its 16-bit message ids then wrap while queued, and since it
 * disconnects on the first PUBACK whose id equals its last message's id, it quits early.
 */
export async function devicePubRun(
  env: Env,
  id: ClientIdentity,
  count: number,
  qos: 0 | 1,
  window: number,
): Promise<Measure> {
  const topic = `bench/${qos}/device`;
  const sub = await Subscriber.open(env, `sub-device-${qos}`, topic, qos);
  const args = [
    ...['-h', '127.0.0.1', '-p', String(env.port), '-i', `pub-device-${qos}`, '-k', '600'],
    ...['--cafile', id.cafile, '--cert', id.cert, '--key', id.key],
    ...['-t', topic, '-q', String(qos), '-M', String(window), '--nodelay', '-l'],
  ];
  const child = env.scope.child(spawn(MOSQUITTO_PUB, args, { stdio: ['pipe', 'ignore', 'pipe'] }));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = deferred<number | null>();
  child.once('close', (code) => exited.resolve(code));
  child.once('error', (e) => exited.reject(e));
  child.stdin.on('error', () => undefined);
  const line = Buffer.from('m'.repeat(PAYLOAD) + '\n');
  child.stdin.write(line);
  const warm = (async () => {
    while (sub.count < 1) await sleep(5);
  })();
  await withTimeout(Promise.race([warm, exited.promise]), 10_000, 'the warm-up message of mosquitto_pub');
  if (sub.count < 1) throw new Error(`mosquitto_pub exited: ${stderr.trim()}`);
  const t0 = nowMs();
  let gone = false;
  void exited.promise.then(() => (gone = true));
  const block = Buffer.concat(Array.from({ length: BLOCK }, () => line));
  for (let written = 0; written < count && !gone && !env.scope.isClosed;) {
    // A broker that drops (QoS 0) would hold the lead forever: after 2 s without a receipt, feed on.
    const stalled = nowMs() - Math.max(sub.lastAt, t0) > 2000;
    const room = Math.min(count, stalled ? count : sub.count - 1 + LEAD, written + BLOCK) - written;
    if (room <= 0) {
      await sleep(1);
      continue;
    }
    if (!child.stdin.write(block.subarray(0, room * line.length))) {
      await Promise.race([new Promise((r) => child.stdin.once('drain', r)), exited.promise]);
    }
    written += room;
  }
  child.stdin.end();
  await waitReceived([sub], count + 1, () => gone);
  const received = sub.count - 1;
  const measure = rate(received, t0, sub.lastAt, count - received);
  if (received < count && stderr.trim()) return { ...measure, extra: { ...measure.extra, stderr } };
  return measure;
}

/** C: one batching publisher → `subscribers` subscribers, QoS 0; deliveries per second. */
export async function fanoutRun(env: Env, subscribers: number, count: number): Promise<Measure> {
  const topic = 'bench/fanout';
  const subs: Subscriber[] = [];
  for (let i = 0; i < subscribers; i++) subs.push(await Subscriber.open(env, `sub-fan-${i}`, topic, 0));
  const pub = await BatchPublisher.open(env, 'pub-fan', {
    topic,
    count,
    qos: 0,
    payloadSize: PAYLOAD,
    window: 0,
  });
  const t0 = nowMs();
  const published = pub.run();
  published.catch(() => undefined);
  await waitReceived(subs, count, () => pub.done);
  const delivered = subs.reduce((n, s) => n + s.count, 0);
  const last = Math.max(...subs.map((s) => s.lastAt));
  const m = rate(delivered, t0, last, subscribers * count - delivered);
  const slowest = Math.min(...subs.map((s) => s.count));
  return { ...m, extra: { ...m.extra, messages: count, subscribers, slowestSubscriber: slowest } };
}
