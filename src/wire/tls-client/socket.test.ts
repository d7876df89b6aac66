import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { Aedes } from 'aedes';
import { MqttClient } from 'mqtt';
import { isLabError } from '../../core/errors.js';
import { keySigner } from '../../pki/signer.js';
import { identities, memoryPipe, nodeServer } from './peer.case.js';
import { connectTls12, createTls12Stream } from './socket.js';

test('MQTT.js over our TLS stream: CONNECT, SUBSCRIBE m5go/env, PUBLISH and receive it (aedes behind Node TLS)', async (t) => {
  const id = await identities();
  const broker = await Aedes.createBroker();
  t.after(() => broker.close());
  const { server, clientEnd } = nodeServer({
    cert: id.ecServer.certPem,
    key: id.ecServer.keyPem,
    ca: id.caPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  let seenCn: unknown;
  server.once('secure', () => {
    seenCn = server.getPeerCertificate().subject.CN;
    broker.handle(server as never);
  });
  const stream = createTls12Stream({
    socket: clientEnd,
    serverName: 'localhost',
    trustAnchors: [id.ca.certificate.der],
    certificateChain: [id.client.certificate.der],
    signer: keySigner(id.client.key),
  });
  // MQTT.js's real API: a stream builder and options; CONNECT is written before the handshake ends.
  const client = new MqttClient(() => stream, {
    clientId: 'm5go-01',
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  t.after(() => client.end(true));
  await new Promise((resolve) => client.once('connect', resolve));
  assert.equal(seenCn, 'm5go-01');
  assert.equal(stream.authorized, true);
  assert.equal(stream.negotiated?.cipherSuite, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
  const granted = await client.subscribeAsync('m5go/env', { qos: 1 });
  assert.deepEqual(
    granted.map((g) => g.qos),
    [1],
  );
  const message = new Promise<[string, Buffer]>((resolve) =>
    client.once('message', (topic, payload) => resolve([topic, payload])),
  );
  await client.publishAsync('m5go/env', '{"t":21.5,"rh":40}', { qos: 1 });
  const [topic, payload] = await message;
  assert.equal(topic, 'm5go/env');
  assert.equal(payload.toString(), '{"t":21.5,"rh":40}');
  await client.endAsync();
});

test('connectTls12 rejects with the coded error and the stream is destroyed', async () => {
  const id = await identities();
  const { clientEnd } = nodeServer({ cert: id.expiredServer.certPem, key: id.expiredServer.keyPem });
  const err = await connectTls12({
    socket: clientEnd,
    serverName: 'localhost',
    trustAnchors: [id.ca.certificate.der],
  }).catch((e: unknown) => e);
  assert.ok(isLabError(err, 'ERR_TLS_CERTIFICATE'));
  assert.equal(err.details.alert, 'certificate_expired');
});

test('a server that never answers: the handshake times out with a coded error', async (t) => {
  const id = await identities();
  const [, clientEnd] = memoryPipe();
  // The timer is unref'd (a real socket keeps the process alive); a pipe does not.
  const keepAlive = setInterval(() => {}, 1000);
  t.after(() => clearInterval(keepAlive));
  const err = await connectTls12({
    socket: clientEnd,
    serverName: 'localhost',
    trustAnchors: [id.ca.certificate.der],
    handshakeTimeout: 50,
  }).catch((e: unknown) => e);
  assert.ok(isLabError(err, 'ERR_TLS_HANDSHAKE'));
  assert.equal(err.details.reason, 'timeout');
});

test('writes made during the handshake are delivered after it; end() sends close_notify', async () => {
  const id = await identities();
  const { server, clientEnd } = nodeServer({ cert: id.rsaServer.certPem, key: id.rsaServer.keyPem });
  const stream = createTls12Stream({
    socket: clientEnd,
    serverName: 'localhost',
    trustAnchors: [id.ca.certificate.der],
  });
  stream.write('early ');
  stream.write('bird');
  const chunks: Buffer[] = [];
  server.on('data', (b: Buffer) => chunks.push(b));
  await once(stream, 'secureConnect');
  stream.end();
  await once(server, 'end');
  assert.equal(Buffer.concat(chunks).toString(), 'early bird');
});

test('adapter options are validated: host and port without a socket, unknown keys', () => {
  assert.throws(
    () => createTls12Stream({ rejectUnauthorized: false, host: 'localhost' }),
    (e: unknown) => isLabError(e, 'ERR_OPTIONS_INVALID') && e.details.option === 'port',
  );
  assert.throws(
    () => createTls12Stream({ rejectUnauthorized: false, host: 'localhost', port: 1, hsot: 'x' } as never),
    (e: unknown) => isLabError(e, 'ERR_OPTIONS_UNKNOWN_KEY'),
  );
});
