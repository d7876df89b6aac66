// Our TLS client (src/wire/tls-client) speaking TLS 1.3 to three independent servers on
// 127.0.0.1: Node's tls (OpenSSL in-process), the openssl s_server CLI and Mosquitto with the
// lab sheet's mTLS listener. The device authenticates with a P-256 key through a Signer. The
// "wrong secure element" (the device's certificate, another key's signature) must be refused
// by each server; in TLS 1.3 the server judges the client's CertificateVerify after the client
// has finished, so the refusal arrives as a fatal alert after our handshake (ERR_TLS_ALERT).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { MqttClient } from 'mqtt';
import { isLabError, type LabError } from '../../src/core/errors.js';
import {
  connectTls,
  createTlsStream,
  type TlsConnectOptions,
  type TlsSocket,
} from '../../src/wire/tls-client/index.js';
import { MOSQUITTO, readableByBroker, requireTool, startBroker } from '../helpers/brokers.js';
import { hasOpenssl, join, tempDir } from '../helpers/openssl.js';
import { freePort, withTimeout } from '../helpers/process.js';
import { type ClientFixtures, makeClientFixtures } from './tls12-client/fixtures.js';
import { mosquittoConf, nodeTlsServer, sServer13, until } from './tls13-client/servers.js';

const WAIT = 10_000;

async function attempt(options: TlsConnectOptions): Promise<TlsSocket | LabError> {
  return withTimeout(connectTls(options), WAIT, 'the TLS client').catch((e: unknown) => {
    assert.ok(isLabError(e), `not a LabError: ${String(e)}`);
    return e;
  });
}

/** The error a connected socket dies with (TLS 1.3: the server's verdict on our certificate). */
function refusal(socket: TlsSocket): Promise<Error> {
  return withTimeout(
    new Promise<Error>((resolve) => {
      socket.once('error', resolve);
      socket.once('close', () => resolve(new Error('closed without an error')));
    }),
    WAIT,
    'the refusal',
  );
}

function assertDecryptError(err: unknown): void {
  assert.ok(isLabError(err, 'ERR_TLS_ALERT'), String(err));
  assert.deepEqual(
    [err.details.alert, err.details.alertNumber, err.details.direction],
    ['decrypt_error', 51, 'received'],
  );
}

describe('TLS 1.3 client interop', () => {
  const dir = tempDir({ after }, 'mqtts-lab-tls13-client-');
  let f: ClientFixtures;
  before(async () => {
    f = await makeClientFixtures(dir);
  });
  const lab = (port: number, extra: Partial<TlsConnectOptions> = {}): TlsConnectOptions => ({
    host: '127.0.0.1',
    port,
    trustAnchors: [f.labCa],
    ...f.device,
    ...extra,
  });
  const only13 = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const;

  describe('Node tls server (requestCert, rejectUnauthorized)', () => {
    test('mutual TLS 1.3 with a P-256 Signer: the server sees the device CN, echo', async (t) => {
      const s = await nodeTlsServer(t, f.ecServer, {
        ca: readFileSync(f.fx.cafile),
        requestCert: true,
        rejectUnauthorized: true,
        ...only13,
      });
      const socket = await attempt(lab(s.port, { trustAnchors: [f.serversCa] }));
      assert.ok(!isLabError(socket), String(socket));
      t.after(() => socket.destroy());
      assert.equal(socket.negotiated?.version, 'TLSv1.3');
      assert.equal(socket.negotiated?.clientSignatureScheme, 'ecdsa_secp256r1_sha256');
      const reply = once(socket, 'data');
      socket.write('m5go/env 21.5');
      const [data] = (await withTimeout(reply, WAIT, 'the echo')) as [Buffer];
      assert.equal(data.toString(), 'echo:m5go/env 21.5');
      await until(() => s.secured.length > 0, WAIT, 'the server to finish');
      assert.equal(s.secured[0]?.getProtocol(), 'TLSv1.3');
      assert.equal(s.secured[0]?.getPeerCertificate().subject.CN, 'm5go-01');
    });

    test('wrong secure element: Node refuses our CertificateVerify with decrypt_error (51)', async (t) => {
      const s = await nodeTlsServer(t, f.fx.server, {
        ca: readFileSync(f.fx.cafile),
        requestCert: true,
        rejectUnauthorized: true,
        ...only13,
      });
      const socket = await attempt(lab(s.port, f.wrongSecureElement));
      assert.ok(!isLabError(socket), 'TLS 1.3: our side of the handshake completes');
      assertDecryptError(await refusal(socket));
      await until(() => s.clientErrors.length > 0, WAIT, 'the server error');
      assert.match(String(s.clientErrors[0]?.message), /bad signature/);
      assert.equal(s.secured.length, 0);
    });

    test('RSA device with an RSA-PSS Signer: rsa_pss_rsae_sha256 CertificateVerify, accepted', async (t) => {
      const s = await nodeTlsServer(t, f.fx.server, {
        ca: readFileSync(f.fx.cafile),
        requestCert: true,
        rejectUnauthorized: true,
        ...only13,
      });
      const socket = await attempt(lab(s.port, f.deviceRsaPss));
      assert.ok(!isLabError(socket), String(socket));
      t.after(() => socket.destroy());
      const n = socket.negotiated as { clientSignatureScheme?: string };
      assert.equal(n.clientSignatureScheme, 'rsa_pss_rsae_sha256');
      await until(() => s.secured.length > 0, WAIT, 'the server to finish');
      assert.equal(s.secured[0]?.authorized, true);
    });

    test('RSA device with a PKCS#1 v1.5 Signer: no TLS 1.3 scheme, empty Certificate, refused', async (t) => {
      const s = await nodeTlsServer(t, f.fx.server, {
        ca: readFileSync(f.fx.cafile),
        requestCert: true,
        rejectUnauthorized: true,
        ...only13,
      });
      const socket = await attempt(lab(s.port, f.deviceRsa));
      if (!isLabError(socket)) {
        t.after(() => socket.destroy());
        const err = await refusal(socket);
        assert.ok(isLabError(err, 'ERR_TLS_ALERT'), String(err));
      }
      await until(() => s.clientErrors.length > 0, WAIT, 'the server error');
      assert.equal(s.secured.length, 0);
    });
  });

  describe(
    'openssl s_server -tls1_3 -Verify 1',
    { skip: hasOpenssl() ? false : 'openssl CLI not installed' },
    () => {
      const mtls = () => [
        '-Verify',
        '1',
        '-verify_return_error',
        '-cert',
        f.fx.server.cert,
        '-key',
        f.fx.server.key,
        '-CAfile',
        f.fx.cafile,
      ];

      test('mutual TLS 1.3, key log equal to s_server, data both ways, KeyUpdate answered (RFC 8446 §4.6.3)', async (t) => {
        const keylog = join(dir, 's_server13.keylog');
        const s = await sServer13(t, dir, [...mtls(), '-keylogfile', keylog]);
        const lines: string[] = [];
        const socket = await attempt(lab(s.port, { keylog: (l) => lines.push(l) }));
        assert.ok(!isLabError(socket), `${String(socket)}\n${s.stdout()}${s.stderr()}`);
        t.after(() => socket.destroy());
        assert.equal(socket.negotiated?.version, 'TLSv1.3');
        const events: { type: string; requested?: boolean }[] = [];
        socket.on('tlsEvent', (e: { type: string }) => events.push(e));
        const received: Buffer[] = [];
        socket.on('data', (d: Buffer) => received.push(d));
        socket.write('m5go/env before\n');
        await until(() => s.stdout().includes('m5go/env before'), WAIT, 's_server to print our data');
        // s_server verified our chain (-Verify prints it), leaf depth 0 = the device.
        assert.match(s.stderr(), /depth=0 O = mqtts-lab test, CN = m5go-01\nverify return:1/);
        const logged = readFileSync(keylog, 'utf8');
        assert.equal(lines.length, 4);
        for (const line of lines)
          assert.ok(logged.includes(line), `${line.split(' ')[0]} is not in s_server's key log`);
        // "K": s_server sends KeyUpdate(update_requested); we update both directions.
        s.child.stdin.write('K\n');
        await until(() => events.some((e) => e.type === 'key_update'), WAIT, 'the KeyUpdate');
        assert.deepEqual(
          events.find((e) => e.type === 'key_update'),
          { type: 'key_update', requested: true },
        );
        socket.write('m5go/env after\n');
        await until(
          () => s.stdout().includes('m5go/env after'),
          WAIT,
          's_server to read us under our new key',
        );
        s.child.stdin.write('from the broker\n');
        await until(
          () => Buffer.concat(received).toString().includes('from the broker'),
          WAIT,
          'data under its new key',
        );
      });

      test('HelloRetryRequest: s_server with -groups P-256 asks for a secp256r1 share', async (t) => {
        const s = await sServer13(t, dir, [...mtls(), '-groups', 'P-256']);
        const socket = await attempt(lab(s.port));
        assert.ok(!isLabError(socket), `${String(socket)}\n${s.stderr()}`);
        t.after(() => socket.destroy());
        const n = socket.negotiated as { helloRetryRequest?: boolean; group: string };
        assert.deepEqual([n.helloRetryRequest, n.group], [true, 'secp256r1']);
        socket.write('retry ok\n');
        await until(() => s.stdout().includes('retry ok'), WAIT, 's_server to print our data');
      });

      test('wrong secure element: s_server reports a bad signature and sends decrypt_error (51)', async (t) => {
        const s = await sServer13(t, dir, mtls());
        const socket = await attempt(lab(s.port, f.wrongSecureElement));
        assert.ok(!isLabError(socket), String(socket));
        assertDecryptError(await refusal(socket));
        await withTimeout(s.exited, WAIT, 's_server to exit');
        assert.match(s.stdout() + s.stderr(), /bad signature/);
      });
    },
  );

  describe('Mosquitto (the lab sheet listener: require_certificate, use_identity_as_username, tls_version tlsv1.2 as a minimum)', () => {
    before(() => requireTool(MOSQUITTO));

    test('MQTT CONNECT → CONNACK over our TLS 1.3 stream (the default offer, 1.3 preferred)', async (t) => {
      readableByBroker(dir);
      const port = await freePort();
      const broker = await startBroker(
        t,
        'mosquitto',
        dir,
        mosquittoConf(port, f.fx.cafile, f.fx.server),
        port,
      );
      const stream = createTlsStream(lab(port, { serverName: 'localhost' }));
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
      assert.equal(stream.negotiated?.version, 'TLSv1.3');
      const granted = await client.subscribeAsync('m5go/env', { qos: 1 });
      assert.deepEqual(
        granted.map((g) => [g.topic, g.qos]),
        [['m5go/env', 1]],
      );
      await client.endAsync();
      assert.match(broker.log(), /New client connected from 127\.0\.0\.1:\d+ as m5go-01 \(.*u'm5go-01'\)/);
    });

    test("versions ['1.2'] still connects to the same listener over TLS 1.2", async (t) => {
      readableByBroker(dir);
      const port = await freePort();
      await startBroker(t, 'mosquitto', dir, mosquittoConf(port, f.fx.cafile, f.fx.server), port);
      const stream = createTlsStream(lab(port, { serverName: 'localhost', versions: ['1.2'] }));
      const client = new MqttClient(() => stream, {
        clientId: 'm5go-01',
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      t.after(() => client.end(true));
      await withTimeout(new Promise((resolve) => client.once('connect', resolve)), WAIT, 'CONNACK');
      assert.equal(stream.negotiated?.version, 'TLSv1.2');
      await client.endAsync();
    });

    test('wrong secure element: Mosquitto refuses the TLS 1.3 client authentication and logs a bad signature', async (t) => {
      readableByBroker(dir);
      const port = await freePort();
      const broker = await startBroker(
        t,
        'mosquitto',
        dir,
        mosquittoConf(port, f.fx.cafile, f.fx.server),
        port,
      );
      const stream = createTlsStream(lab(port, { ...f.wrongSecureElement, serverName: 'localhost' }));
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
      assertDecryptError(err);
      assert.equal(client.connected, false);
      await until(() => /bad signature/.test(broker.log()), WAIT, 'mosquitto to log the failure');
      assert.match(broker.log(), /OpenSSL Error\[\d+\]: .*bad signature/);
      assert.doesNotMatch(broker.log(), /as m5go-clone/);
    });
  });
});
