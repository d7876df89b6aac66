import assert from 'node:assert/strict';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { alertName, closeClient, describeProbe, probeMqtt } from './mqtt-probe.js';

/** A loopback TCP server that answers the client's first bytes (the CONNECT) with `onConnect`. */
async function server(t: TestContext, onConnect: (s: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const srv: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.once('data', () => onConnect(s));
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    srv.close();
  });
  return (srv.address() as AddressInfo).port;
}

const probe = (port: number, deadlineMs = 2_000) =>
  probeMqtt({ host: '127.0.0.1', port, clientId: 'probe-test', deadlineMs });

test('CONNACK 0: connected, and the client is handed back open', async (t) => {
  const port = await server(t, (s) => s.write(Buffer.from([0x20, 0x02, 0x00, 0x00])));
  const r = await probe(port);
  assert.equal(r.kind, 'connected');
  assert.match(
    describeProbe(r),
    /^CONNACK return code 0 \(accepted\), session present 0 \[client port \d+\]$/,
  );
  if (r.kind === 'connected') await closeClient(r.client);
});

test('CONNACK 5 is a refusal with its return code [MQTT-3.2.2-5], not an exception', async (t) => {
  const port = await server(t, (s) => s.write(Buffer.from([0x20, 0x02, 0x00, 0x05])));
  const r = await probe(port);
  assert.equal(r.kind, 'connack-refused');
  assert.equal(r.kind === 'connack-refused' && r.returnCode, 5);
});

test('a broker that drops the connection without a CONNACK: closed', async (t) => {
  const port = await server(t, (s) => s.destroy());
  const r = await probe(port);
  assert.equal(r.kind, 'closed');
  assert.ok(r.localPort !== undefined, 'the port the broker would log is kept');
});

test('a broker that never answers: a timeout at the deadline, in the CONNACK phase', async (t) => {
  const port = await server(t, () => {});
  const started = Date.now();
  const r = await probe(port, 150);
  assert.deepEqual(r.kind === 'timeout' && r.phase, 'connack');
  assert.ok(Date.now() - started < 1_000);
});

test('nothing listening: a socket error with its code', async () => {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const closed = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  const r = await probe(closed);
  assert.equal(r.kind === 'socket-error' && r.code, 'ECONNREFUSED');
});

test('alert names: from the alert number OpenSSL prints (RFC 8446 §6), else from the error code', () => {
  assert.equal(alertName('…:tlsv1 alert unknown ca:…:SSL alert number 48'), 'unknown_ca');
  assert.equal(
    alertName('…SSL alert number 44', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED'),
    'certificate_revoked',
  );
  assert.equal(alertName('', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), 'certificate_required');
  assert.equal(alertName('wrong version number', 'ERR_SSL_WRONG_VERSION_NUMBER'), undefined);
});
