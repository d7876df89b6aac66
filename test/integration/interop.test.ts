// Interoperability: the broker as a process (our built CLI; Mosquitto too, so the test's own
// expectations are checked against the reference) with the lab sheet's mTLS listener, a plain
// TCP listener and a WebSocket listener. Three independent MQTT implementations talk through
// it — mosquitto_pub/sub (libmosquitto), MQTT.js, Python paho 1.6.1 — in MQTT 3.1.1 and 5, and
// every one must receive what every other one published, at the QoS the spec says.
import assert from 'node:assert/strict';
import { chmodSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { BROKER_VERSION } from '../../src/broker/sys.js';
import { type BrokerKind, startBroker, waitForPort } from '../helpers/brokers.js';
import { tempDir } from '../helpers/openssl.js';
import { freePort, start, withTimeout } from '../helpers/process.js';
import { makeTlsFixtures, type TlsFixtures } from '../helpers/tls-fixtures.js';
import { pahoPeer } from './interop/paho.js';
import {
  type Endpoints,
  MOSQUITTO_SUB,
  mosquittoFlags,
  mosquittoPub,
  mosquittoSub,
  mqttjs,
  mqttjsSub,
  type Received,
  type Subscriber,
  type Transport,
} from './interop/peers.js';

const BROKERS: readonly BrokerKind[] = ['mosquitto', 'mqtts-lab'];
const VERSION: Readonly<Record<BrokerKind, string>> = {
  mosquitto: 'mosquitto version 2.0.11',
  'mqtts-lab': BROKER_VERSION,
};
type Qos = 0 | 1 | 2;

/** The lab sheet's listener (section "Paramètres de sécurisation de MQTT"), plus TCP and WebSocket. */
function labConf(ep: Endpoints, fx: TlsFixtures): string {
  return [
    // Global: anonymous clients on the plain listeners; the mTLS listener ignores it anyway.
    'allow_anonymous true',
    `listener ${ep.tcp} 127.0.0.1`,
    `listener ${ep.tls} 127.0.0.1`,
    `cafile ${fx.cafile}`,
    `certfile ${fx.server.cert}`,
    `keyfile ${fx.server.key}`,
    'require_certificate true',
    'use_identity_as_username true',
    'tls_version tlsv1.2',
    `listener ${ep.ws}`,
    'protocol websockets',
    '',
  ].join('\n');
}

/** Mosquitto drops root privileges before reading its TLS files: make them readable to it. */
function readableByBroker(fx: TlsFixtures): void {
  chmodSync(fx.dir, 0o755);
  for (const f of readdirSync(fx.dir)) chmodSync(join(fx.dir, f), 0o644);
}

const byTopic = (a: Received, b: Received) => a.topic.localeCompare(b.topic);
const v = (version: 4 | 5) => ['-V', version === 5 ? 'mqttv5' : 'mqttv311'];

for (const kind of BROKERS) {
  test(`interop against ${kind}: mosquitto clients, MQTT.js and paho over TCP, mTLS, WebSocket`, async (t) => {
    const dir = tempDir(t);
    const fx = await makeTlsFixtures(dir);
    readableByBroker(fx);
    const ep: Endpoints = {
      tcp: await freePort(),
      tls: await freePort(),
      ws: await freePort(),
      cafile: fx.cafile,
    };
    const broker = await startBroker(t, kind, dir, labConf(ep, fx), ep.tcp);
    await waitForPort(ep.tls, broker, 10_000);
    await waitForPort(ep.ws, broker, 10_000);
    const { client: m5go, clientRsa: m5stack } = fx;

    await t.test(
      'every client receives what every client published, at min(publish, subscribe) QoS',
      async (st) => {
        const filter = 'interop/mesh/#';
        // [name, transport, MQTT version, subscription QoS, publish QoS, client certificate]
        const js: [string, Transport, 4 | 5, Qos, Qos, typeof m5go?][] = [
          ['js-v4-tcp', 'tcp', 4, 2, 0],
          ['js-v5-tcp', 'tcp', 5, 1, 1],
          ['js-v4-mtls', 'mtls', 4, 2, 2, m5go],
          ['js-v5-mtls', 'mtls', 5, 0, 1, m5stack],
          ['js-v4-ws', 'ws', 4, 1, 2],
          ['js-v5-ws', 'ws', 5, 2, 0],
        ];
        const mosquittoPubs: [string, 'tcp' | 'mtls', 4 | 5, Qos, typeof m5go?][] = [
          ['pub-311-tcp', 'tcp', 4, 0],
          ['pub-311-mtls', 'mtls', 4, 1, m5go],
          ['pub-v5-tcp', 'tcp', 5, 2],
          ['pub-v5-mtls', 'mtls', 5, 2, m5stack],
        ];
        const pahos = [
          { name: 'paho-311-mtls', version: 4 as const, id: m5go },
          { name: 'paho-v5-mtls', version: 5 as const, id: m5stack },
        ];
        const published = new Map<string, Qos>([
          ...js.map(([name, , , , q]) => [name, q] as const),
          ...mosquittoPubs.map(([name, , , q]) => [name, q] as const),
          ...pahos.map((p) => [p.name, 1 as Qos] as const),
        ]);
        const n = published.size;
        const clients = await Promise.all(
          js.map(([name, tr, ver, , , id]) => mqttjs(st, name, tr, ver, ep, id)),
        );
        const subscribers: Subscriber[] = await Promise.all(
          js.map(([name, , , qos], i) => mqttjsSub(clients[i]!, name, filter, qos, n)),
        );
        const paho = await Promise.all(
          pahos.map((p) =>
            pahoPeer(st, dir, {
              name: p.name,
              version: p.version,
              host: 'localhost',
              port: ep.tls,
              tls: { cafile: fx.cafile, ...p.id },
              filter,
              qos: 1,
              expect: n,
              topic: `interop/mesh/${p.name}`,
              payload: `hello from ${p.name}`,
            }),
          ),
        );
        subscribers.push(...paho);
        subscribers.push(
          await mosquittoSub(
            st,
            dir,
            'sub-311-tcp',
            [...mosquittoFlags(ep, 'tcp'), ...v(4), '-t', filter],
            2,
            n,
          ),
          await mosquittoSub(
            st,
            dir,
            'sub-v5-mtls',
            [...mosquittoFlags(ep, 'mtls', m5stack), ...v(5), '-t', filter],
            1,
            n,
          ),
        );

        for (const [i, [name, , , , qos]] of js.entries()) {
          await clients[i]!.publishAsync(`interop/mesh/${name}`, `hello from ${name}`, { qos });
        }
        for (const [name, tr, ver, qos, id] of mosquittoPubs) {
          const to = [...mosquittoFlags(ep, tr, id), ...v(ver), '-i', name, '-q', String(qos)];
          await mosquittoPub(st, dir, [...to, '-t', `interop/mesh/${name}`, '-m', `hello from ${name}`]);
        }
        for (const p of paho) await p.publish();
        for (const s of subscribers) s.finish?.();

        for (const s of subscribers) {
          const want = [...published].map(([from, q]) => ({
            topic: `interop/mesh/${from}`,
            payload: `hello from ${from}`,
            qos: Math.min(q, s.qos),
            retain: false,
          }));
          assert.deepEqual((await s.done).sort(byTopic), want.sort(byTopic), `${s.name} received`);
        }

        // use_identity_as_username: every mTLS client is known by its certificate's CN, the TCP and
        // WebSocket ones by no name at all.
        const names = new Map<string, string | undefined>([
          ...js.map(([name, , , , , id]) => [name, id?.cn] as const),
          ...mosquittoPubs.map(([name, , , , id]) => [name, id?.cn] as const),
          ...pahos.map((p) => [p.name, p.id.cn] as const),
          ['sub-311-tcp', undefined],
          ['sub-v5-mtls', m5stack.cn],
        ]);
        for (const [name, cn] of names) {
          const user = cn === undefined ? '' : `, u'${cn}'`;
          assert.match(
            broker.log(),
            new RegExp(`New client connected from \\S+ as ${name} \\(p\\d, c1, k\\d+${user}\\)\\.`),
          );
        }
      },
    );

    await t.test('retained messages reach later subscribers of every kind; -r -n clears them', async (st) => {
      const js = await mqttjs(st, 'js-v5-mtls-retainer', 'mtls', 5, ep, m5go);
      await js.publishAsync('interop/retained/a', 'kept by MQTT.js', { qos: 1, retain: true });
      const tcp = mosquittoFlags(ep, 'tcp');
      await mosquittoPub(st, dir, [
        ...tcp,
        ...v(4),
        ...'-r -q 2 -t interop/retained/b'.split(' '),
        '-m',
        'kept by mosquitto_pub',
      ]);
      const filter = 'interop/retained/#';
      const subscribers = [
        await mosquittoSub(
          st,
          dir,
          'ret-sub-v5-mtls',
          [...mosquittoFlags(ep, 'mtls', m5stack), ...v(5), '-t', filter],
          2,
          2,
        ),
        await mqttjsSub(await mqttjs(st, 'ret-js-v4-ws', 'ws', 4, ep), 'ret-js-v4-ws', filter, 2, 2),
        await pahoPeer(st, dir, {
          name: 'ret-paho-311-mtls',
          version: 4,
          host: 'localhost',
          port: ep.tls,
          tls: { cafile: fx.cafile, ...m5go },
          filter,
          qos: 1,
          expect: 2,
        }),
      ];
      for (const s of subscribers) {
        s.finish?.();
        assert.deepEqual(
          (await s.done).sort(byTopic),
          [
            {
              topic: 'interop/retained/a',
              payload: 'kept by MQTT.js',
              qos: Math.min(1, s.qos),
              retain: true,
            },
            {
              topic: 'interop/retained/b',
              payload: 'kept by mosquitto_pub',
              qos: Math.min(2, s.qos),
              retain: true,
            },
          ],
          `${s.name} received`,
        );
      }
      await mosquittoPub(st, dir, [
        ...mosquittoFlags(ep, 'mtls', m5go),
        ...v(5),
        '-r',
        '-n',
        '-t',
        'interop/retained/a',
      ]);
      await mosquittoPub(st, dir, [...tcp, ...v(4), '-r', '-n', '-t', 'interop/retained/b']);
      const none = start(st, dir, [...tcp, '-t', filter, '-W', '1'], MOSQUITTO_SUB);
      assert.equal(await withTimeout(none.exited, 10_000, 'mosquitto_sub -W 1'), 27);
      assert.equal(none.stdout(), '');
    });

    await t.test('$SYS/broker/version is readable with mosquitto_sub, MQTT 3.1.1 and 5', async (st) => {
      for (const [name, flags] of [
        ['sys-311-tcp', [...mosquittoFlags(ep, 'tcp'), ...v(4)]],
        ['sys-v5-mtls', [...mosquittoFlags(ep, 'mtls', m5go), ...v(5)]],
      ] as const) {
        const sub = await mosquittoSub(st, dir, name, [...flags, '-t', '$SYS/broker/version'], 0, 1);
        assert.deepEqual(await sub.done, [
          { topic: '$SYS/broker/version', payload: VERSION[kind], qos: 0, retain: true },
        ]);
      }
    });

    await t.test(
      'tls_version tlsv1.2 is a minimum: TLS 1.3 by default, TLS 1.2 when the client asks',
      async (st) => {
        const latest = await mqttjs(st, 'tls-default', 'mtls', 4, ep, m5go);
        assert.equal((latest.stream as TLSSocket).getProtocol(), 'TLSv1.3');
        const pinned = await mqttjs(st, 'tls-1.2', 'mtls', 4, ep, m5go, { maxVersion: 'TLSv1.2' });
        assert.equal((pinned.stream as TLSSocket).getProtocol(), 'TLSv1.2');
      },
    );
  });
}
