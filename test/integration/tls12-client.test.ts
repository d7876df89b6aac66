// Our TLS 1.2 client (src/wire/tls-client) against three independent servers on 127.0.0.1:
// Node's tls (OpenSSL in-process), the openssl s_server CLI, and the Mosquitto broker with the
// lab sheet's mTLS listener. The "wrong secure element" case — the device's certificate with a
// signature from another key — must be refused by each *server*, never by the client.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { MqttClient } from 'mqtt';
import { isLabError, type LabError } from '../../src/core/errors.js';
import {
  connectTls12,
  createTls12Stream,
  type Tls12ConnectOptions,
  type Tls12Socket,
} from '../../src/wire/tls-client/index.js';
import { requireTool, MOSQUITTO, startBroker, readableByBroker } from '../helpers/brokers.js';
import { hasOpenssl, join, tempDir } from '../helpers/openssl.js';
import { freePort, withTimeout } from '../helpers/process.js';
import { type ClientFixtures, makeClientFixtures } from './tls12-client/fixtures.js';
import { mosquittoConf, nodeTlsServer, sServer, until } from './tls12-client/servers.js';

const WAIT = 10_000;

/** Connect, or return the coded failure. */
async function attempt(options: Tls12ConnectOptions): Promise<Tls12Socket | LabError> {
  return withTimeout(connectTls12(options), WAIT, 'the TLS client').catch((e: unknown) => {
    assert.ok(isLabError(e), `not a LabError: ${String(e)}`);
    return e;
  });
}

async function roundTrip(socket: Tls12Socket, text: string): Promise<string> {
  const reply = once(socket, 'data');
  socket.write(text);
  const [data] = (await withTimeout(reply, WAIT, 'the echo')) as [Buffer];
  return data.toString();
}

describe('TLS 1.2 client interop', () => {
  const dir = tempDir({ after }, 'mqtts-lab-tls12-client-');
  let f: ClientFixtures;
  before(async () => {
    f = await makeClientFixtures(dir);
  });
  const lab = (port: number, extra: Partial<Tls12ConnectOptions> = {}): Tls12ConnectOptions => ({
    host: '127.0.0.1',
    port,
    trustAnchors: [f.labCa],
    ...f.device,
    ...extra,
  });

  describe('Node tls server (OpenSSL in-process)', () => {
    test('ECDHE-ECDSA: mutual TLS with a P-256 device key, the server sees the device CN, echo', async (t) => {
      const s = await nodeTlsServer(t, f.ecServer, {
        ca: readFileSync(f.fx.cafile),
        requestCert: true,
        rejectUnauthorized: true,
      });
      const socket = await attempt(lab(s.port, { trustAnchors: [f.serversCa] }));
      assert.ok(!isLabError(socket), String(socket));
      t.after(() => socket.destroy());
      assert.equal(socket.negotiated?.cipherSuite, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
      assert.equal(socket.negotiated?.clientSignatureScheme, 'ecdsa_secp256r1_sha256');
      assert.equal(await roundTrip(socket, 'm5go/env 21.5'), 'echo:m5go/env 21.5');
      assert.equal(s.secured[0]?.getPeerCertificate().subject.CN, 'm5go-01');
      assert.equal(s.secured[0]?.getProtocol(), 'TLSv1.2');
    });

    test('ECDHE-RSA: the lab sheet RSA broker, P-256 and RSA devices', async (t) => {
      const s = await nodeTlsServer(t, f.fx.server, {
        ca: readFileSync(f.fx.cafile),
        requestCert: true,
        rejectUnauthorized: true,
      });
      for (const [device, scheme, cn] of [
        [f.device, 'ecdsa_secp256r1_sha256', 'm5go-01'],
        [f.deviceRsa, 'rsa_pkcs1_sha256', 'm5stack-01'],
        // RFC 8446 §4.2.3: rsa_pss_rsae_* applies to TLS 1.2 too; OpenSSL offers it in its request.
        [f.deviceRsaPss, 'rsa_pss_rsae_sha256', 'm5stack-01'],
      ] as const) {
        const socket = await attempt(lab(s.port, device));
        assert.ok(!isLabError(socket), String(socket));
        assert.equal(socket.negotiated?.cipherSuite, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
        assert.equal(socket.negotiated?.clientSignatureScheme, scheme);
        assert.equal(await roundTrip(socket, cn), `echo:${cn}`);
        assert.equal(s.secured.at(-1)?.getPeerCertificate().subject.CN, cn);
        socket.destroy();
      }
    });

    test('wrong secure element: Node refuses the CertificateVerify, we get decrypt_error (51) from it', async (t) => {
      const s = await nodeTlsServer(t, f.fx.server, {
        ca: readFileSync(f.fx.cafile),
        requestCert: true,
        rejectUnauthorized: true,
      });
      const err = await attempt(lab(s.port, f.wrongSecureElement));
      assert.ok(isLabError(err, 'ERR_TLS_HANDSHAKE'));
      assert.deepEqual(
        [err.details.alert, err.details.alertNumber, err.details.direction],
        ['decrypt_error', 51, 'received'],
      );
      assert.match(String(s.clientErrors[0]?.message), /bad signature/);
    });

    test('no client certificate: the server that requires one answers handshake_failure', async (t) => {
      const s = await nodeTlsServer(t, f.fx.server, {
        ca: readFileSync(f.fx.cafile),
        requestCert: true,
        rejectUnauthorized: true,
      });
      const err = await attempt({ host: '127.0.0.1', port: s.port, trustAnchors: [f.labCa] });
      assert.ok(isLabError(err, 'ERR_TLS_HANDSHAKE'));
      assert.deepEqual([err.details.alert, err.details.direction], ['handshake_failure', 'received']);
    });
  });

  describe('server chain problems: we refuse with the right alert, and the server receives it', () => {
    const cases = [
      {
        name: 'unknown CA',
        server: () => f.ecServer,
        anchors: () => [f.labCa],
        host: '127.0.0.1',
        alert: 'unknown_ca',
        reason: 'ISSUER_UNKNOWN',
        seen: /alert unknown ca/,
      },
      {
        name: 'expired certificate',
        server: () => f.expiredServer,
        anchors: () => [f.serversCa],
        host: '127.0.0.1',
        alert: 'certificate_expired',
        reason: 'CERT_EXPIRED',
        seen: /alert certificate expired/,
      },
      {
        name: 'wrong host name',
        server: () => f.wrongHostServer,
        anchors: () => [f.serversCa],
        host: 'localhost',
        alert: 'bad_certificate',
        reason: 'HOSTNAME_MISMATCH',
        seen: /alert bad certificate/,
      },
      {
        name: 'wrong IP address',
        server: () => f.wrongHostServer,
        anchors: () => [f.serversCa],
        host: '127.0.0.1',
        alert: 'bad_certificate',
        reason: 'IP_ADDRESS_MISMATCH',
        seen: /alert bad certificate/,
      },
    ] as const;
    for (const c of cases) {
      test(c.name, async (t) => {
        const s = await nodeTlsServer(t, c.server());
        const err = await attempt({ host: c.host, port: s.port, trustAnchors: c.anchors() });
        assert.ok(isLabError(err, 'ERR_TLS_CERTIFICATE'), String(err));
        assert.deepEqual(
          [err.details.alert, err.details.direction, err.details.verifyReason],
          [c.alert, 'sent', c.reason],
        );
        await until(() => s.clientErrors.length > 0, WAIT, 'the server to see our alert');
        assert.match(s.clientErrors[0]!.message, c.seen);
      });
    }

    test('rejectUnauthorized: false (lab only) connects to the expired server, and says it is unauthorized', async (t) => {
      const s = await nodeTlsServer(t, f.expiredServer);
      const socket = await attempt({
        host: 'localhost',
        port: s.port,
        trustAnchors: [f.serversCa],
        rejectUnauthorized: false,
      });
      assert.ok(!isLabError(socket));
      t.after(() => socket.destroy());
      assert.equal(socket.authorized, false);
      assert.deepEqual(socket.negotiated?.authorizationFailures, ['CERT_EXPIRED']);
    });
  });

  describe('openssl s_server', { skip: hasOpenssl() ? false : 'openssl CLI not installed' }, () => {
    test('mutual TLS, -Verify 1, -rev: data round trip, and s_server logs the same master secret', async (t) => {
      const keylog = join(dir, 's_server.keylog');
      const s = await sServer(t, dir, [
        '-Verify',
        '1',
        '-verify_return_error',
        '-rev',
        '-keylogfile',
        keylog,
        '-cert',
        f.fx.server.cert,
        '-key',
        f.fx.server.key,
        '-CAfile',
        f.fx.cafile,
      ]);
      const lines: string[] = [];
      const socket = await attempt(lab(s.port, { keylog: (l) => lines.push(l) }));
      assert.ok(!isLabError(socket), `${String(socket)}\n${s.stdout()}${s.stderr()}`);
      t.after(() => socket.destroy());
      assert.equal(await roundTrip(socket, 'm5go/env\n'), 'vne/og5m\n');
      // s_server verified our chain (-Verify prints it on stderr), leaf depth 0 = the device.
      assert.match(s.stderr(), /depth=0 O = mqtts-lab test, CN = m5go-01\nverify return:1/);
      assert.equal(socket.negotiated?.extendedMasterSecret, true);
      assert.ok(
        readFileSync(keylog, 'utf8').includes(lines[0]!),
        'our CLIENT_RANDOM line is in s_server key log',
      );
    });

    test('ECDHE-ECDSA with AES-256-GCM-SHA384 over secp384r1', async (t) => {
      const s = await sServer(t, dir, [
        '-rev',
        '-groups',
        'P-384',
        '-cipher',
        'ECDHE-ECDSA-AES256-GCM-SHA384',
        '-cert',
        f.ecServer.cert,
        '-key',
        f.ecServer.key,
      ]);
      const socket = await attempt({ host: 'localhost', port: s.port, trustAnchors: [f.serversCa] });
      assert.ok(!isLabError(socket), `${String(socket)}\n${s.stderr()}`);
      t.after(() => socket.destroy());
      assert.equal(socket.negotiated?.cipherSuite, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384');
      assert.equal(socket.negotiated?.group, 'secp384r1');
      assert.equal(await roundTrip(socket, 'abc\n'), 'cba\n');
    });

    test('wrong secure element: s_server reports a bad signature and sends decrypt_error (51)', async (t) => {
      const s = await sServer(t, dir, [
        '-Verify',
        '1',
        '-verify_return_error',
        '-rev',
        '-cert',
        f.fx.server.cert,
        '-key',
        f.fx.server.key,
        '-CAfile',
        f.fx.cafile,
      ]);
      const err = await attempt(lab(s.port, f.wrongSecureElement));
      assert.ok(isLabError(err, 'ERR_TLS_HANDSHAKE'));
      assert.deepEqual(
        [err.details.alert, err.details.alertNumber, err.details.direction],
        ['decrypt_error', 51, 'received'],
      );
      await withTimeout(s.exited, WAIT, 's_server to exit');
      assert.match(s.stdout() + s.stderr(), /bad signature/);
    });
  });

  describe('Mosquitto (the lab sheet listener: require_certificate, use_identity_as_username, tlsv1.2)', () => {
    before(() => requireTool(MOSQUITTO));

    test('MQTT.js over our TLS client: CONNACK, SUBACK for m5go/env, PUBLISH received back', async (t) => {
      readableByBroker(dir);
      const port = await freePort();
      const broker = await startBroker(
        t,
        'mosquitto',
        dir,
        mosquittoConf(port, f.fx.cafile, f.fx.server),
        port,
      );
      const stream = createTls12Stream(lab(port, { serverName: 'localhost' }));
      const client = new MqttClient(() => stream, {
        clientId: 'm5go-01',
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      t.after(() => client.end(true));
      const connack = await withTimeout(
        new Promise<{ returnCode?: number }>((resolve) => client.once('connect', resolve)),
        WAIT,
        'CONNACK',
      );
      assert.equal(connack.returnCode, 0);
      const granted = await client.subscribeAsync('m5go/env', { qos: 1 });
      assert.deepEqual(
        granted.map((g) => [g.topic, g.qos]),
        [['m5go/env', 1]],
      );
      const message = new Promise<[string, Buffer]>((resolve) =>
        client.once('message', (topic, payload) => resolve([topic, payload])),
      );
      await client.publishAsync('m5go/env', '{"t":21.5,"rh":40.2,"p":1013.1}', { qos: 1 });
      const [topic, payload] = await withTimeout(message, WAIT, 'the message back');
      assert.equal(topic, 'm5go/env');
      assert.equal(payload.toString(), '{"t":21.5,"rh":40.2,"p":1013.1}');
      await client.endAsync();
      // use_identity_as_username: the certificate CN is the MQTT user name.
      assert.match(broker.log(), /New client connected from 127\.0\.0\.1:\d+ as m5go-01 \(.*u'm5go-01'\)/);
    });

    test('wrong secure element: Mosquitto refuses the handshake and logs the TLS failure', async (t) => {
      readableByBroker(dir);
      const port = await freePort();
      const broker = await startBroker(
        t,
        'mosquitto',
        dir,
        mosquittoConf(port, f.fx.cafile, f.fx.server),
        port,
      );
      const stream = createTls12Stream(lab(port, { ...f.wrongSecureElement, serverName: 'localhost' }));
      const client = new MqttClient(() => stream, {
        clientId: 'm5go-clone',
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      t.after(() => client.end(true));
      const err = await withTimeout(
        new Promise<Error>((resolve) => client.once('error', resolve)),
        WAIT,
        'the refusal',
      );
      assert.ok(isLabError(err, 'ERR_TLS_HANDSHAKE'));
      assert.deepEqual([err.details.alert, err.details.direction], ['decrypt_error', 'received']);
      assert.equal(client.connected, false);
      await until(() => /bad signature/.test(broker.log()), WAIT, 'mosquitto to log the failure');
      // Mosquitto 2.0: "OpenSSL Error[0]: error:0A00007B:SSL routines::bad signature", then
      // "Client <unknown> disconnected: Protocol error." — it never got to CONNECT.
      assert.match(broker.log(), /OpenSSL Error\[\d+\]: .*bad signature/);
      assert.match(broker.log(), /Client <unknown> disconnected/);
      assert.doesNotMatch(broker.log(), /as m5go-clone/);
    });
  });
});
