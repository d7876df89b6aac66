// Live reload and revocation: a CRL reload disconnects, at once, the connected clients it
// revokes and keeps the others; the revoked identity cannot come back. Mosquitto, VerneMQ and
// EMQX check CRLs only at the next handshake.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import mqtt, { type IDisconnectPacket, type MqttClient } from 'mqtt';
import { parseMosquittoConf } from '../../src/broker/config/index.js';
import type { TimedSecurityEvent } from '../../src/broker/events.js';
import { type RunningBroker, startBroker } from '../../src/broker/start.js';
import { startBroker as startBrokerProcess } from '../helpers/brokers.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/openssl.js';
import { freePort } from '../helpers/process.js';
import { type IdentityFiles, makeTlsFixtures, type TlsFixtures } from '../helpers/tls-fixtures.js';

function tlsConf(f: TlsFixtures, port: number, extra: string[] = []): string {
  return [
    `listener ${port} 127.0.0.1`,
    `cafile ${f.cafile}`,
    `certfile ${f.server.cert}`,
    `keyfile ${f.server.key}`,
    `crlfile ${f.crlfile}`,
    'require_certificate true',
    'use_identity_as_username true',
    ...extra,
    '',
  ].join('\n');
}

function device(f: TlsFixtures, port: number, id: IdentityFiles, clientId: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect({
      protocol: 'mqtts',
      host: '127.0.0.1',
      port,
      clientId,
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ca: readFileSync(f.cafile),
      cert: readFileSync(id.cert),
      key: readFileSync(id.key),
      servername: 'localhost',
    });
    client.once('connect', () => resolve(client));
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

async function inProcess(t: TestContext, conf: string, dir: string): Promise<RunningBroker> {
  const config = parseMosquittoConf(conf, { file: join(dir, 'mosquitto.conf'), baseDir: dir });
  const running = await startBroker(config, { stdout: () => {}, stderr: () => {} });
  t.after(() => running.close());
  return running;
}

test('CRL reload: the revoked client is disconnected within a second (0x98) and cannot reconnect; the other stays', async (t) => {
  const dir = tempDir(t, 'revocation-');
  const f = await makeTlsFixtures(dir);
  const port = await freePort();
  const running = await inProcess(t, tlsConf(f, port), dir);
  const events: TimedSecurityEvent[] = [];
  running.broker.events.subscribe((e) => events.push(e));

  const doomed = await device(f, port, f.client, 'm5go-01');
  const kept = await device(f, port, f.clientRsa, 'm5stack-01');
  t.after(() => {
    doomed.end(true);
    kept.end(true);
  });
  const disconnected = new Promise<IDisconnectPacket>((resolve) => doomed.once('disconnect', resolve));
  const closed = new Promise<void>((resolve) => doomed.once('close', () => resolve()));

  await f.writeCrl([f.serials.get(f.revoked.cert)!, f.serials.get(f.client.cert)!]);
  const started = Date.now();
  const result = running.reload();
  assert.ok(result.ok, 'reload succeeded');
  assert.equal(result.revoked, 1);
  assert.deepEqual([...result.reloaded].sort(), ['certificates', 'crl']);
  const packet = await disconnected;
  await closed;
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 1000, `disconnected in ${elapsed} ms`);
  assert.equal(packet.reasonCode, 0x98, 'v5 DISCONNECT: Administrative action');
  const kick = events.find((e) => e.type === 'certificate-revoked');
  assert.ok(kick && kick.type === 'certificate-revoked');
  assert.equal(kick.clientId, 'm5go-01');
  assert.equal(kick.username, f.client.cn);
  assert.equal(kick.serialNumber, f.serials.get(f.client.cert));
  t.diagnostic(`revoked client disconnected ${elapsed} ms after the reload`);

  // The other client never noticed: it still publishes and receives.
  assert.ok(kept.connected);
  await kept.subscribeAsync('still/here', { qos: 1 });
  const echo = new Promise<string>((resolve) => kept.once('message', (_t, p) => resolve(p.toString())));
  await kept.publishAsync('still/here', 'yes', { qos: 1 });
  assert.equal(await echo, 'yes');

  // The revoked identity cannot come back: the new CRL is in the TLS context now.
  await assert.rejects(device(f, port, f.client, 'm5go-01'));
  // A fresh connection of a valid identity is still accepted.
  const again = await device(f, port, f.clientRsa, 'm5stack-02');
  again.end(true);
});

test('a reload that fails keeps everything as it was', async (t) => {
  const dir = tempDir(t, 'reload-bad-');
  const f = await makeTlsFixtures(dir);
  const port = await freePort();
  const running = await inProcess(t, tlsConf(f, port), dir);
  const c = await device(f, port, f.client, 'm5go-01');
  t.after(() => c.end(true));
  const good = readFileSync(f.crlfile);
  writeFileSync(f.crlfile, 'not a CRL\n');
  const result = running.reload();
  assert.equal(result.ok, false);
  assert.ok(!result.ok && result.error.code === 'ERR_BROKER_CONFIG_INVALID');
  assert.ok(c.connected, 'connections stay');
  writeFileSync(f.crlfile, good);
  const d = await device(f, port, f.clientRsa, 'm5stack-01');
  d.end(true);
});

test('disconnect_on_certificate_expiry: a client whose certificate expires while connected is disconnected', async (t) => {
  const dir = tempDir(t, 'expiry-');
  const f = await makeTlsFixtures(dir);
  const port = await freePort();
  const shortLived = await f.issueClient('short', 'm5go-short', {
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 2_500),
  });
  const running = await inProcess(t, tlsConf(f, port, ['disconnect_on_certificate_expiry true']), dir);
  const events: TimedSecurityEvent[] = [];
  running.broker.events.subscribe((e) => events.push(e));
  const c = await device(f, port, shortLived, 'm5go-short');
  const stays = await device(f, port, f.client, 'm5go-01');
  t.after(() => {
    c.end(true);
    stays.end(true);
  });
  const packet = await new Promise<IDisconnectPacket>((resolve) => c.once('disconnect', resolve));
  assert.equal(packet.reasonCode, 0x98);
  assert.ok(events.some((e) => e.type === 'certificate-expired' && e.clientId === 'm5go-short'));
  assert.ok(stays.connected);
});

test('SIGHUP through `mqtts-lab broker reload -c`: the broker process re-reads its CRL and kicks the revoked device', async (t) => {
  const dir = tempDir(t, 'sighup-');
  const f = await makeTlsFixtures(dir);
  const port = await freePort();
  const conf = tlsConf(f, port, [`pid_file ${join(dir, 'broker.pid')}`]);
  const broker = await startBrokerProcess(t, 'mqtts-lab', dir, conf, port);
  const doomed = await device(f, port, f.client, 'm5go-01');
  t.after(() => doomed.end(true));
  const closed = new Promise<void>((resolve) => doomed.once('close', () => resolve()));
  await f.writeCrl([f.serials.get(f.client.cert)!]);
  const r = await cli(['broker', 'reload', '-c', join(dir, 'mqtts-lab.conf')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /sent SIGHUP to broker process \d+/);
  await closed;
  assert.match(broker.log(), /Client m5go-01 disconnected: certificate serial [0-9A-F]+ is revoked\./);
});
