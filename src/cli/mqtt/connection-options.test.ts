import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTlsFixtures, type TlsFixtures } from '../../../test/helpers/tls-fixtures.js';
import type { ClientFlags } from './client-flags.js';
import { buildConnectionPlan, generatedClientId, parseMqttUrl } from './connection-options.js';
import { parseProperties } from './properties.js';

const env = { cwd: '/', pid: 4242 };
const base: ClientFlags = { keepalive: 60, qos: 0, willQos: 0 };
const plan = (f: Partial<ClientFlags> = {}, props: string[] = []) =>
  buildConnectionPlan({ ...base, ...f }, parseProperties(props, ['connect', 'publish', 'will']), env);
const usage = { code: 'mqtts-lab.usage', exitCode: 2 };

let fx: TlsFixtures;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqtts-lab-conn-'));
  fx = await makeTlsFixtures(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('plain MQTT 3.1.1 by default: localhost:1883, clean session, id left to the broker', () => {
  const p = plan();
  assert.deepEqual([p.host, p.port, p.tls, p.version], ['localhost', 1883, undefined, 4]);
  assert.equal(p.client.clientId, '');
  assert.equal(p.client.clean, true);
  assert.equal(p.client.reconnectPeriod, 0);
  assert.ok(Object.isFrozen(p) && Object.isFrozen(p.client));
});

test('client ids: -i, -I with the process id, mosq-… for MQTT 3.1, -c needs an id', () => {
  assert.equal(plan({ id: 'm5go-01' }).client.clientId, 'm5go-01');
  assert.equal(plan({ idPrefix: 'pc-' }).client.clientId, 'pc-4242');
  assert.match(plan({ protocolVersion: 3 }).client.clientId ?? '', /^mosq-[A-Za-z0-9]{18}$/);
  assert.equal(plan({ protocolVersion: 3 }).client.protocolId, 'MQIsdp');
  assert.match(
    generatedClientId(() => new Uint8Array(18)),
    /^mosq-a{18}$/,
  );
  assert.throws(() => plan({ id: 'a', idPrefix: 'b' }), usage);
  assert.throws(() => plan({ disableCleanSession: true }), usage);
  assert.throws(() => plan({ protocolVersion: 5, sessionExpiry: '-1' }), usage);
});

test('-D makes an MQTT 5 client; -x and -c set the session expiry', () => {
  const p = plan({ id: 'a', disableCleanSession: true }, ['connect', 'user-property', 'fw', '1.0']);
  assert.equal(p.version, 5);
  assert.deepEqual(p.client.properties, { userProperties: { fw: '1.0' }, sessionExpiryInterval: 0xffffffff });
  assert.deepEqual(plan({ protocolVersion: 5, sessionExpiry: '30' }).client.properties, {
    sessionExpiryInterval: 30,
  });
  assert.throws(() => plan({ protocolVersion: 4 }, ['connect', 'user-property', 'a', 'b']), usage);
});

test('will: topic, payload, QoS, retain and will properties; parts without --will-topic are refused', () => {
  const p = plan({ willTopic: 'm5go/status', willPayload: 'offline', willQos: 1, willRetain: true }, [
    'will',
    'content-type',
    'text/plain',
  ]);
  assert.deepEqual(p.client.will, {
    topic: 'm5go/status',
    payload: Buffer.from('offline'),
    qos: 1,
    retain: true,
    properties: { contentType: 'text/plain' },
  });
  assert.throws(() => plan({ willPayload: 'x' }), usage);
  assert.throws(() => plan({ willTopic: 'a/#' }), usage);
});

test('--unix replaces host and port, relative to the working directory', () => {
  const p = buildConnectionPlan({ ...base, unix: 'run/mosquitto.sock' }, {}, { cwd: '/srv', pid: 1 });
  assert.equal(p.unix, '/srv/run/mosquitto.sock');
  assert.throws(() => plan({ unix: '/x.sock', host: 'localhost' }), usage);
});

test('-L: scheme, credentials, host, port and a verbatim topic', () => {
  assert.deepEqual(parseMqttUrl('mqtts://bob:s3cret@broker.lab:8884/sensors/#'), {
    tls: true,
    host: 'broker.lab',
    port: 8884,
    username: 'bob',
    password: 's3cret',
    topic: 'sensors/#',
  });
  assert.equal(parseMqttUrl('mqtt://[::1]/t').host, '::1');
  assert.throws(() => parseMqttUrl('ws://h/t'), { ...usage, message: /unsupported URL scheme/ });
  assert.throws(() => parseMqttUrl('mqtt://h'), { ...usage, message: /topic missing/ });
});

test('TLS: port 8883 by default, SNI for names only, chain always verified, --insecure skips the name', () => {
  const p = plan({ cafile: fx.cafile, cert: fx.client.cert, key: fx.client.key, host: 'localhost' });
  assert.equal(p.port, 8883);
  assert.equal(p.tls?.servername, 'localhost');
  assert.equal(p.tls?.rejectUnauthorized, true);
  assert.equal(p.tls?.minVersion, 'TLSv1.2');
  assert.equal(p.tls?.checkServerIdentity, undefined);
  assert.equal(p.insecure, false);
  const ip = plan({ cafile: fx.cafile, host: '127.0.0.1', insecure: true, tlsVersion: 'tlsv1.3' });
  assert.equal(ip.tls?.servername, undefined);
  assert.equal(ip.tls?.minVersion, 'TLSv1.3');
  assert.equal(ip.tls?.checkServerIdentity?.('x', {} as never), undefined);
  assert.equal(ip.insecure, true);
  assert.notEqual(plan({ port: 8883 }).tls, undefined, 'port 8883 means TLS, as for mosquitto_pub');
  assert.equal(plan({ url: 'mqtts://localhost/t' }).port, 8883);
});

test('TLS files are checked before connecting, with catalog codes', () => {
  assert.throws(() => plan({ cafile: join(dir, 'nope.crt') }), { code: 'ERR_FS_NOT_FOUND' });
  assert.throws(() => plan({ cafile: fx.client.key }), { code: 'ERR_PEM_MALFORMED' });
  assert.throws(() => plan({ cafile: fx.cafile, cert: fx.client.cert, key: fx.otherCaClient.key }), {
    code: 'ERR_PKI_KEY_MISMATCH',
  });
  assert.throws(() => plan({ cafile: fx.cafile, cert: fx.client.cert }), usage);
  const capath = join(dir, 'capath');
  mkdirSync(capath);
  for (const f of [fx.cafile, fx.otherCafile, fx.crlfile]) copyFileSync(f, join(capath, basename(f)));
  writeFileSync(join(capath, 'README'), 'not a certificate');
  assert.equal(plan({ capath }).tls?.ca?.length, 2, 'ca.crt and other-ca.crt; the CRL and README skipped');
  assert.throws(() => plan({ capath: join(dir, 'nowhere') }), { code: 'ERR_FS_NOT_FOUND' });
});
