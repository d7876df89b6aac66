// The on-disk spool of absent persistent sessions (persistence true, queue_full_policy block):
// far more messages than max_queued_messages go to a subscriber that is away, every one is
// acknowledged, none is dropped; the broker is killed with SIGKILL and restarted; the subscriber
// comes back and receives them all, in order, QoS 2 exactly once.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { generate } from 'mqtt-packet';
import { parseMosquittoConf } from '../../src/broker/config/index.js';
import { startBroker as runBroker } from '../../src/broker/start.js';
import { startBroker } from '../helpers/brokers.js';
import { tempDir } from '../helpers/openssl.js';
import { freePort } from '../helpers/process.js';

const QUEUE = 100;
const N1 = 5000;
const N2 = 1000;

function connect(port: number, options: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect({ host: '127.0.0.1', port, protocolVersion: 4, reconnectPeriod: 0, ...options });
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
}

const until = async (what: string, ms: number, done: () => boolean | Promise<boolean>) => {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/**
 * Publish N1 QoS 1 messages on `${prefix}1` and N2 QoS 2 on `${prefix}2`, interleaved evenly,
 * payloads counting from 0 per topic, at most 500 unacknowledged at once. Returns how many of
 * each were acknowledged (PUBACK; PUBCOMP).
 */
async function publishAll(client: MqttClient, prefix: string): Promise<[number, number]> {
  const acked: [number, number] = [0, 0];
  let failed = 0;
  let wake: (() => void) | undefined;
  const every = N1 / N2;
  let sent = 0;
  const send = async (topic: string, n: number, qos: 1 | 2) => {
    while (sent - acked[0] - acked[1] - failed >= 500) await new Promise<void>((r) => (wake = r));
    sent++;
    client.publish(topic, String(n), { qos }, (err) => {
      if (err) failed++;
      else if (qos === 1) acked[0]++;
      else acked[1]++;
      wake?.();
      wake = undefined;
    });
  };
  for (let i = 0; i < N1; i++) {
    await send(`${prefix}1`, i, 1);
    if (i % every === every - 1) await send(`${prefix}2`, (i - every + 1) / every, 2);
  }
  await until('acknowledgements', 60_000, () => acked[0] + acked[1] + failed === sent);
  return acked;
}

function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

/** Sum of a metric's series (every label set). */
function metric(text: string, name: string): number {
  let sum = 0;
  let found = false;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) {
    sum += Number(m[1]);
    found = true;
  }
  assert.ok(found, `${name} is exported`);
  return sum;
}

function spoolOnDisk(dir: string): { files: number; bytes: number } {
  const spoolDir = join(dir, 'store', 'mosquitto.db.spool');
  if (!existsSync(spoolDir)) return { files: 0, bytes: 0 };
  const names = readdirSync(spoolDir);
  return { files: names.length, bytes: names.reduce((n, f) => n + statSync(join(spoolDir, f)).size, 0) };
}

async function ports(): Promise<{ port: number; metricsPort: number }> {
  const port = await freePort();
  let metricsPort = await freePort();
  while (metricsPort === port) metricsPort = await freePort();
  return { port, metricsPort };
}

function spoolConf(port: number, metricsPort: number, dir: string): string {
  return [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence true',
    `persistence_location ${join(dir, 'store')}`,
    // persistence_fsync always (the default): every spooled message is on the disk before its PUBACK.
    `max_queued_messages ${QUEUE}`,
    'sys_interval 0',
    `metrics_listener ${metricsPort}`,
    '',
  ].join('\n');
}

/** Numbers received on one topic: how often each, and the order of first arrivals. */
class Received {
  readonly counts = new Map<number, number>();
  readonly order: number[] = [];
  add(n: number): void {
    const seen = this.counts.get(n) ?? 0;
    if (seen === 0) this.order.push(n);
    this.counts.set(n, seen + 1);
  }
  get duplicates(): number {
    let d = 0;
    for (const c of this.counts.values()) d += c - 1;
    return d;
  }
}

const inOrder = (order: readonly number[], count: number) =>
  order.length === count && order.every((n, i) => n === i);

/**
 * An in-process broker with persistence (fsync never), max_queued_messages 10 and `extra`
 * lines; closed, and its directory removed, after the test. Collects its log lines and the
 * message-dropped events (`client reason`).
 */
async function smallBroker(t: TestContext, name: string, extra: readonly string[], queueStallMs?: number) {
  // Removed after the broker has closed (it writes its last snapshot there).
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const port = await freePort();
  const lines: string[] = [];
  const config = parseMosquittoConf(
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      'persistence_fsync never',
      'max_queued_messages 10',
      ...extra,
      '',
    ].join('\n'),
    { file: `${name}.conf`, baseDir: dir },
  );
  const running = await runBroker(config, {
    stderr: (line) => lines.push(line),
    ...(queueStallMs !== undefined ? { queueStallMs } : {}),
  });
  t.after(async () => {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const dropped: string[] = [];
  running.broker.events.subscribe((e) => {
    if (e.type === 'message-dropped') dropped.push(`${e.clientId} ${e.reason}`);
  });
  return { port, lines, running, dropped };
}

test(`${N1} QoS 1 and ${N2} QoS 2 messages for an absent subscriber (max_queued_messages ${QUEUE}): all acknowledged, none dropped, spooled; after SIGKILL and a restart every one arrives in order, QoS 2 once`, async (t) => {
  const dir = tempDir(t, 'spool-');
  const { port, metricsPort } = await ports();
  const conf = spoolConf(port, metricsPort, dir);
  let broker = await startBroker(t, 'mqtts-lab', dir, conf, port);

  const sub = await connect(port, { clientId: 'spool-sub', clean: false });
  await sub.subscribeAsync({ 'lab/s1': { qos: 1 }, 'lab/s2': { qos: 2 } });
  await sub.endAsync();

  const pub = await connect(port, { clientId: 'spool-pub' });
  const started = Date.now();
  const [acked1, acked2] = await publishAll(pub, 'lab/s');
  const publishMs = Date.now() - started;
  await pub.endAsync();
  assert.equal(acked1, N1, 'every QoS 1 message acknowledged (PUBACK)');
  assert.equal(acked2, N2, 'every QoS 2 message acknowledged (PUBCOMP)');

  const before = await scrape(metricsPort);
  assert.equal(metric(before, 'mqttslab_messages_dropped_total'), 0, 'no message dropped');
  assert.equal(metric(before, 'mqttslab_queued_messages'), QUEUE);
  assert.equal(metric(before, 'mqttslab_spooled_messages'), N1 + N2 - QUEUE);
  const disk = spoolOnDisk(dir);
  assert.equal(disk.files, 1, 'one spool file, the absent session’s');
  assert.equal(metric(before, 'mqttslab_spool_bytes'), disk.bytes);
  assert.doesNotMatch(broker.log(), /being dropped/);

  broker.child.kill('SIGKILL');
  await broker.exited;
  const restartAt = Date.now();
  broker = await startBroker(t, 'mqtts-lab', dir, conf, port);
  const restartMs = Date.now() - restartAt;
  assert.match(broker.log(), new RegExp(`Restored ${N1 + N2 - QUEUE} spooled messages for 1 client`));
  assert.doesNotMatch(broker.log(), /damaged/);

  const got1 = new Received();
  const got2 = new Received();
  const drainAt = Date.now();
  const back = mqtt.connect({
    host: '127.0.0.1',
    port,
    clientId: 'spool-sub',
    clean: false,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  t.after(() => back.end(true));
  back.on('message', (topic, payload) => (topic === 'lab/s1' ? got1 : got2).add(Number(payload.toString())));
  await until('every message', 120_000, () => got1.counts.size === N1 && got2.counts.size === N2);
  const drainMs = Date.now() - drainAt;
  // Let a duplicate that would come arrive.
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(inOrder(got1.order, N1), 'QoS 1 in publication order');
  assert.ok(inOrder(got2.order, N2), 'QoS 2 in publication order');
  assert.equal(got2.duplicates, 0, 'QoS 2 exactly once');
  await until('the spool to be reclaimed', 5000, async () => {
    const after = await scrape(metricsPort);
    return metric(after, 'mqttslab_spooled_messages') === 0 && metric(after, 'mqttslab_spool_bytes') === 0;
  });
  assert.equal(spoolOnDisk(dir).files, 0, 'a drained spool is deleted');
  t.diagnostic(
    `published ${N1} QoS 1 + ${N2} QoS 2 in ${publishMs} ms, all acknowledged, 0 dropped; ` +
      `${N1 + N2 - QUEUE} spooled (${disk.bytes} bytes on disk); SIGKILL; restart ${restartMs} ms; ` +
      `delivered ${got1.counts.size} + ${got2.counts.size} in ${drainMs} ms, ${got1.duplicates} QoS 1 duplicates, ${got2.duplicates} QoS 2 duplicates`,
  );
});

test('SIGKILL while the spool drains: after the restart the subscriber gets the rest, QoS 1 at least once, QoS 2 exactly once, in order', async (t) => {
  const dir = tempDir(t, 'spool-drain-');
  const { port, metricsPort } = await ports();
  const conf = spoolConf(port, metricsPort, dir);
  const broker = await startBroker(t, 'mqtts-lab', dir, conf, port);

  const first = await connect(port, { clientId: 'drain-sub', clean: false });
  await first.subscribeAsync({ 'lab/d1': { qos: 1 }, 'lab/d2': { qos: 2 } });
  await first.endAsync();
  const pub = await connect(port, { clientId: 'drain-pub' });
  const [acked1, acked2] = await publishAll(pub, 'lab/d');
  await pub.endAsync();
  assert.equal(acked1 + acked2, N1 + N2);

  // One client object for the whole test: it keeps its own QoS 2 state across the broker's
  // death and reconnects by itself, as a device would.
  const got1 = new Received();
  const got2 = new Received();
  const sub = mqtt.connect({
    host: '127.0.0.1',
    port,
    clientId: 'drain-sub',
    clean: false,
    protocolVersion: 4,
    reconnectPeriod: 100,
  });
  sub.on('error', () => {});
  t.after(() => sub.end(true));
  sub.on('message', (topic, payload) => (topic === 'lab/d1' ? got1 : got2).add(Number(payload.toString())));
  await until('part of the spool', 60_000, () => got1.counts.size >= N1 / 3);
  broker.child.kill('SIGKILL');
  await broker.exited;
  const atKill = { q1: got1.counts.size, q2: got2.counts.size };
  assert.ok(
    atKill.q1 < N1 && atKill.q2 > 0 && atKill.q2 < N2,
    'killed mid-drain, QoS 2 messages on both sides',
  );
  // Same port: the subscriber's client reconnects by itself.
  await startBroker(t, 'mqtts-lab', dir, conf, port);
  await until('every message', 120_000, () => got1.counts.size === N1 && got2.counts.size === N2);
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(inOrder(got1.order, N1), 'QoS 1: every message, first arrivals in order');
  assert.ok(inOrder(got2.order, N2), 'QoS 2: every message, in order');
  assert.equal(got2.duplicates, 0, 'QoS 2 exactly once across the kill');
  assert.equal(metric(await scrape(metricsPort), 'mqttslab_messages_dropped_total'), 0);
  t.diagnostic(
    `received before SIGKILL: ${atKill.q1} QoS 1, ${atKill.q2} QoS 2; after restart all ${N1} + ${N2}; ` +
      `QoS 1 duplicates ${got1.duplicates} (resent in-flight), QoS 2 duplicates ${got2.duplicates}`,
  );
});

test('max_spooled_bytes reached: further messages for the absent session are dropped, counted, logged and emitted (spool-full); publishers are never held', async (t) => {
  const { port, lines, running, dropped } = await smallBroker(t, 'spool-full', ['max_spooled_bytes 4096']);
  const sub = await connect(port, { clientId: 'full-sub', clean: false });
  await sub.subscribeAsync('lab/f', { qos: 1 });
  await sub.endAsync();
  const pub = await connect(port, { clientId: 'full-pub' });
  for (let i = 0; i < 300; i++) await pub.publishAsync('lab/f', String(i), { qos: 1 });
  await pub.endAsync();
  const store = running.broker.store!;
  const { messages: spooled, bytes } = store.spoolTotals;
  assert.ok(spooled > 10 && spooled < 290, `${spooled} spooled`);
  assert.ok(
    bytes >= 4096 && bytes < 4096 + 200,
    `${bytes} bytes: the limit, overshot by one message at most`,
  );
  assert.equal(dropped.length, 300 - 10 - spooled);
  assert.ok(dropped.every((d) => d === 'full-sub spool-full'));
  assert.equal(running.broker.stats.dropped['spool-full'], dropped.length);
  assert.equal(running.broker.stats.publishDropped, dropped.length);
  assert.ok(lines.some((l) => l.includes('Outgoing messages are being dropped for client full-sub')));
  // What was kept arrives, in order: the first 10 + spooled of the 300.
  const got: number[] = [];
  // Listening before CONNACK: the queued messages follow it in the same read.
  const back = mqtt.connect({
    host: '127.0.0.1',
    port,
    clientId: 'full-sub',
    clean: false,
    reconnectPeriod: 0,
  });
  t.after(() => back.end(true));
  back.on('message', (_topic, payload) => got.push(Number(payload.toString())));
  await until('the kept messages', 10_000, () => got.length === 10 + spooled);
  assert.ok(inOrder(got, 10 + spooled));
});

test('a connected subscriber that stops acknowledging: past its queue its messages spool to disk (none dropped, publishers released), and all arrive once it drains', async (t) => {
  const { port, lines, running, dropped } = await smallBroker(
    t,
    'spool-stall',
    ['max_inflight_messages 5'],
    200,
  );
  // A raw client: CONNECT (persistent session), SUBSCRIBE at QoS 1, then never a PUBACK.
  const stuck = tcpConnect(port, '127.0.0.1');
  let inbound = 0;
  stuck.on('data', (d: Buffer) => (inbound += d.length));
  await new Promise((r) => stuck.once('connect', r));
  stuck.write(
    generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: 'stuck',
      clean: false,
      keepalive: 0,
    }),
  );
  stuck.write(generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'lab/s', qos: 1 }] }));
  await until(
    'the subscription',
    5_000,
    () => running.broker.sessions.get('stuck')?.subscriptions.size === 1,
  );
  const pub = await connect(port, { clientId: 'stall-pub' });
  for (let i = 0; i < 300; i++) await pub.publishAsync('lab/s', String(i), { qos: 1 });
  await pub.endAsync();
  assert.deepEqual(dropped, [], 'nothing dropped');
  assert.equal(running.broker.stats.publishDropped, 0);
  const spooled = running.broker.store!.spoolTotals.messages;
  const session = running.broker.sessions.get('stuck')!;
  // The queue may pass its limit by what the held publisher had already sent before the stall.
  assert.equal(session.inflight.size + session.queue.length + spooled, 300, 'every message kept');
  assert.ok(session.inflight.size === 5 && spooled >= 280, `${spooled} spooled`);
  assert.ok(
    lines.some((l) => l.includes('client stuck is not draining its queue') && l.includes('spooled to disk')),
  );
  assert.ok(inbound > 0, 'the window was sent to it');
  stuck.destroy();
  // It comes back and acknowledges: the 5 in flight again (DUP), then the queue, then the spool.
  const got = new Received();
  const back = mqtt.connect({ host: '127.0.0.1', port, clientId: 'stuck', clean: false, reconnectPeriod: 0 });
  t.after(() => back.end(true));
  back.on('message', (_topic, payload) => got.add(Number(payload.toString())));
  await until('all 300', 10_000, () => got.order.length === 300);
  assert.ok(inOrder(got.order, 300), 'in order');
  assert.equal(running.broker.store!.spoolTotals.messages, 0, 'the spool drained');
});
