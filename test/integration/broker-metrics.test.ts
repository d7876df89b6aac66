// The Prometheus endpoint of the broker process (metrics_listener): a few MQTT operations with
// real clients, then /metrics is scraped, parsed strictly as the text exposition format 0.0.4,
// and every counter must have moved by exactly what was done.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { passwordLine } from '../../src/broker/password-file.js';
import { startBroker, waitForPort } from '../helpers/brokers.js';
import { tempDir } from '../helpers/openssl.js';
import { freePort, start } from '../helpers/process.js';
import { httpCall as http } from '../helpers/http.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mqtts-lab.js');

interface Family {
  type: 'counter' | 'gauge' | 'untyped' | 'summary' | 'histogram';
  help: string | undefined;
  /** Samples by their label set, as written (`{reason="expired"}` or ``). */
  samples: Map<string, number>;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const VALUE = '[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|NaN|[+-]Inf';
const SAMPLE = new RegExp(`^(${NAME})(\\{(?:${LABEL}(?:,${LABEL})*,?)?\\})? (${VALUE})(?: -?\\d+)?$`);

/**
 * A strict reader of the text format (written from the format's documentation, not from our
 * encoder): every line is a comment, blank, or `name{labels} value [timestamp]`; a TYPE comes
 * before its samples and only once; a sample belongs to a declared family; no series twice.
 */
function parseExposition(text: string): Map<string, Family> {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a line feed');
  const families = new Map<string, Family>();
  const lines = text.slice(0, -1).split('\n');
  for (const [i, line] of lines.entries()) {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    if (line === '') continue;
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!meta) continue; // a plain comment
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      assert.match(name, new RegExp(`^${NAME}$`), where);
      const family = families.get(name);
      if (kind === 'TYPE') {
        assert.ok(['counter', 'gauge', 'untyped', 'summary', 'histogram'].includes(rest), where);
        assert.ok(
          !family || (family.samples.size === 0 && family.type === 'untyped'),
          `TYPE once, first: ${where}`,
        );
        families.set(name, { type: rest as Family['type'], help: family?.help, samples: new Map() });
      } else {
        assert.equal(family?.help, undefined, `HELP once: ${where}`);
        assert.doesNotMatch(rest.replace(/\\[\\n]/g, ''), /\\/, `HELP escapes only \\\\ and \\n: ${where}`);
        if (family) family.help = rest;
        else families.set(name, { type: 'untyped', help: rest, samples: new Map() });
      }
      continue;
    }
    const sample = SAMPLE.exec(line);
    assert.ok(sample, `not a comment, blank line or sample: ${where}`);
    const [, name, labels = '', value] = sample as unknown as [string, string, string | undefined, string];
    const family = families.get(name);
    assert.ok(family && family.type !== 'untyped', `sample before or without its TYPE: ${where}`);
    assert.ok(!family.samples.has(labels), `series written twice: ${where}`);
    family.samples.set(labels, value.endsWith('Inf') ? Number(`${value[0]}Infinity`) : Number(value));
  }
  for (const [name, f] of families) {
    if (f.type === 'counter') assert.match(name, /_total$/, `counter ${name} ends in _total`);
    else assert.doesNotMatch(name, /_total$/, `${f.type} ${name} does not end in _total`);
    assert.ok(f.help !== undefined && f.help.length > 0, `${name} has a HELP`);
  }
  return families;
}

async function scrape(port: number): Promise<Map<string, Family>> {
  const reply = await http(port, 'GET', '/metrics');
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(reply.body);
}

/** One series' value; a missing family or series fails the test. */
function value(families: Map<string, Family>, name: string, labels = ''): number {
  const v = families.get(name)?.samples.get(labels);
  assert.ok(v !== undefined, `${name}${labels} is exported`);
  return v;
}

/** Connect; the client's socket goes into `sockets` at once (a refused one too), for its byte counts. */
function connect(port: number, options: IClientOptions, sockets: Socket[]): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect({ host: '127.0.0.1', port, protocolVersion: 4, reconnectPeriod: 0, ...options });
    sockets.push(c.stream as unknown as Socket);
    c.once('connect', () => resolve(c));
    c.once('error', (err) => {
      c.end(true);
      reject(err);
    });
  });
}

const until = async (what: string, ms: number, done: () => boolean | Promise<boolean>) => {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('/metrics of a running broker: counters move by exactly what the clients did; strict 0.0.4 text', async (t) => {
  const dir = tempDir(t, 'metrics-');
  const port = await freePort();
  let metricsPort = await freePort();
  while (metricsPort === port) metricsPort = await freePort();
  writeFileSync(
    join(dir, 'pw'),
    `${passwordLine('alice', 'alice-pw', { iterations: 1 })}\n${passwordLine('bob', 'bob-pw', { iterations: 1 })}\n`,
  );
  writeFileSync(join(dir, 'acl'), 'user alice\ntopic readwrite lab/#\nuser bob\ntopic read lab/#\n');
  const conf = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous false',
    `password_file ${join(dir, 'pw')}`,
    `acl_file ${join(dir, 'acl')}`,
    'max_queued_messages 2',
    'queue_full_policy block',
    // No $SYS traffic: every message counted below is one a client sent or received.
    'sys_interval 0',
    `metrics_listener ${metricsPort}`,
    '',
  ].join('\n');
  const broker = await startBroker(t, 'mqtts-lab', dir, conf, port);
  // The broker is up once its MQTT listener accepts; the metrics listener may log a moment later.
  const opened = new RegExp(`Opening metrics listener on http://127\\.0\\.0\\.1:${metricsPort}/metrics\\.`);
  await until('the metrics listener', 5000, () => opened.test(broker.log())).catch(() => undefined);
  assert.match(broker.log(), opened);

  const before = await scrape(metricsPort);
  const counters = [...before].filter(([, f]) => f.type === 'counter');
  assert.ok(counters.length >= 10, 'the broker exports its counters');
  for (const [name, f] of counters)
    for (const [labels, v] of f.samples) assert.equal(v, 0, `${name}${labels} at start`);

  const sockets: Socket[] = [];
  // A persistent subscriber that goes away: 2 messages queue for it, the rest are dropped.
  const away = await connect(
    port,
    { clientId: 'away', clean: false, username: 'bob', password: 'bob-pw' },
    sockets,
  );
  await away.subscribeAsync({ 'lab/away': { qos: 1 }, 'lab/also': { qos: 1 } });
  await away.endAsync();
  const live = await connect(port, { clientId: 'live', username: 'alice', password: 'alice-pw' }, sockets);
  const got: string[] = [];
  live.on('message', (_topic, payload) => got.push(payload.toString()));
  await live.subscribeAsync('lab/live', { qos: 1 });
  const pub = await connect(port, { clientId: 'pub', username: 'alice', password: 'alice-pw' }, sockets);
  for (let i = 0; i < 5; i++) await pub.publishAsync('lab/away', `a${i}`, { qos: 1 });
  for (let i = 0; i < 3; i++) await pub.publishAsync('lab/live', `l${i}`, { qos: 1 });
  await pub.publishAsync('lab/kept', 'k', { qos: 1, retain: true });
  // alice may not write outside lab/#: a 3.1.1 publisher still gets its PUBACK.
  await pub.publishAsync('forbidden/x', 'no', { qos: 1 });
  await assert.rejects(
    connect(port, { clientId: 'intruder', username: 'alice', password: 'wrong' }, sockets),
  );
  await until('the live subscriber', 5000, () => got.length === 3);
  // Its PUBACKs reach the broker: nothing stays in flight.
  await until(
    'no message in flight',
    5000,
    async () => value(await scrape(metricsPort), 'mqttslab_inflight_messages') === 0,
  );

  const during = await scrape(metricsPort);
  const moved = (name: string, labels = '') => value(during, name, labels) - value(before, name, labels);
  assert.equal(moved('mqttslab_connections_accepted_total'), 3);
  assert.equal(moved('mqttslab_connections_refused_total'), 1);
  assert.equal(moved('mqttslab_auth_failures_total'), 1);
  assert.equal(moved('mqttslab_acl_denied_total'), 1);
  assert.equal(moved('mqttslab_messages_received_total'), 10);
  assert.equal(moved('mqttslab_messages_sent_total'), 3);
  assert.equal(moved('mqttslab_messages_dropped_total', '{reason="offline-queue-full"}'), 3);
  for (const reason of ['queue-full', 'subscriber-stalled', 'expired', 'too-large']) {
    assert.equal(moved('mqttslab_messages_dropped_total', `{reason="${reason}"}`), 0, reason);
  }
  assert.equal(moved('mqttslab_certificate_disconnects_total'), 0);
  assert.equal(moved('mqttslab_sessions_expired_total'), 0);
  assert.equal(value(during, 'mqttslab_clients_connected'), 2);
  assert.equal(value(during, 'mqttslab_clients_maximum'), 2);
  assert.equal(value(during, 'mqttslab_sessions', '{state="online"}'), 2);
  assert.equal(value(during, 'mqttslab_sessions', '{state="offline"}'), 1);
  assert.equal(value(during, 'mqttslab_subscriptions'), 3);
  assert.equal(value(during, 'mqttslab_retained_messages'), 1);
  assert.equal(value(during, 'mqttslab_queued_messages'), 2);
  assert.equal(value(during, 'mqttslab_publishers_held'), 0);
  const started = value(during, 'mqttslab_start_time_seconds');
  assert.ok(Math.abs(started - Date.now() / 1000) < 120, `start time ${started} is now`);

  // Bytes: exactly what the clients' sockets wrote and read, once they have all closed.
  await live.endAsync();
  await pub.endAsync();
  await until('closed sockets', 5000, () => sockets.every((s) => s.destroyed));
  await until('the broker to see the disconnects', 5000, async () => {
    return value(await scrape(metricsPort), 'mqttslab_clients_connected') === 0;
  });
  const after = await scrape(metricsPort);
  const written = sockets.reduce((n, s) => n + s.bytesWritten, 0);
  const read = sockets.reduce((n, s) => n + s.bytesRead, 0);
  assert.equal(
    value(after, 'mqttslab_bytes_received_total') - value(before, 'mqttslab_bytes_received_total'),
    written,
  );
  assert.equal(value(after, 'mqttslab_bytes_sent_total') - value(before, 'mqttslab_bytes_sent_total'), read);
  assert.equal(value(after, 'mqttslab_sessions', '{state="offline"}'), 1);
  t.diagnostic(
    `scraped ${after.size} families; bytes in ${value(after, 'mqttslab_bytes_received_total')}, out ${value(after, 'mqttslab_bytes_sent_total')}`,
  );
});

test('the metrics endpoint: 404 for other paths, 405 for other methods, HEAD without a body', async (t) => {
  const dir = tempDir(t, 'metrics-http-');
  const port = await freePort();
  let metricsPort = await freePort();
  while (metricsPort === port) metricsPort = await freePort();
  const conf = `listener ${port} 127.0.0.1\nallow_anonymous true\nmetrics_listener ${metricsPort}\n`;
  await startBroker(t, 'mqtts-lab', dir, conf, port);
  assert.equal((await http(metricsPort, 'GET', '/')).status, 404);
  assert.equal((await http(metricsPort, 'GET', '/metrics/x')).status, 404);
  const post = await http(metricsPort, 'POST', '/metrics');
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
  const head = await http(metricsPort, 'HEAD', '/metrics');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.ok(Number(head.headers['content-length']) > 100);
});

test('mqtts-lab broker -c FILE --metrics PORT serves the same endpoint; with metrics_listener in FILE it is a usage error', async (t) => {
  const dir = tempDir(t, 'metrics-cli-');
  const port = await freePort();
  let metricsPort = await freePort();
  while (metricsPort === port) metricsPort = await freePort();
  const file = join(dir, 'm.conf');
  writeFileSync(file, `listener ${port} 127.0.0.1\nallow_anonymous true\n`);
  const broker = start(
    t,
    dir,
    [BIN, 'broker', '-c', file, '--metrics', String(metricsPort)],
    process.execPath,
  );
  await waitForPort(port, broker, 10_000);
  await until(
    'the metrics endpoint',
    5000,
    async () => (await http(metricsPort, 'GET', '/metrics').catch(() => undefined))?.status === 200,
  );
  const families = await scrape(metricsPort);
  assert.equal(value(families, 'mqttslab_clients_connected'), 0);
  const both = join(dir, 'both.conf');
  writeFileSync(both, `listener ${port} 127.0.0.1\nmetrics_listener ${metricsPort}\n`);
  const refused = start(t, dir, [BIN, 'broker', '-c', both, '--metrics', '9'], process.execPath);
  assert.equal(await refused.exited, 2);
  assert.match(refused.stderr(), /ERR_CLI_USAGE: .*already sets metrics_listener/);
});
