import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test, type TestContext } from 'node:test';
import { SeededRng } from '../../src/core/rng.js';
import {
  bootDevice,
  buildFirmwareFlash,
  provisionPart,
  type FirmwareSettings,
  type RunningDevice,
  Atecc608Driver,
  Board,
  secureElementSigner,
} from '../../src/device/index.js';
import { Atecc608b } from '../../src/hardware/atecc608b/index.js';
import { buildName, createCsr } from '../../src/pki/index.js';
import { Environment } from '../../src/hardware/env2/index.js';
import { type BrokerKind, readableByBroker, startBroker } from '../helpers/brokers.js';
import { tempDir } from '../helpers/openssl.js';
import { freePort } from '../helpers/process.js';
import { makeTlsFixtures, type TlsFixtures } from '../helpers/tls-fixtures.js';

/** The lab sheet's Step 3 broker: 8883-style mTLS, the certificate CN is the username. */
function mtlsConf(port: number, f: TlsFixtures): string {
  return [
    'per_listener_settings false',
    `listener ${port} 127.0.0.1`,
    `cafile ${f.cafile}`,
    `certfile ${f.server.cert}`,
    `keyfile ${f.server.key}`,
    'require_certificate true',
    'use_identity_as_username true',
    'tls_version tlsv1.2',
    'log_dest stderr',
    'log_type all',
    '',
  ].join('\n');
}

function plainConf(port: number): string {
  return [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'log_dest stderr', 'log_type all', ''].join(
    '\n',
  );
}

/** A TNGTLS part with `keyFile`'s key in slot 8, provisioned over the bus like the lab sheet's sketch. */
async function slot8Part(keyFile: string, seed: string): Promise<Atecc608b> {
  const part = Atecc608b.create({ rng: new SeededRng(seed), timing: 'typical' });
  const der = createPrivateKey(readFileSync(keyFile)).export({ type: 'pkcs8', format: 'der' });
  await provisionPart(part, new Uint8Array(der));
  return part;
}

async function until(what: string, ms: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Rig {
  readonly f: TlsFixtures;
  readonly port: number;
  readonly log: () => string;
}

async function rig(t: TestContext, kind: BrokerKind, plain = false): Promise<Rig> {
  const dir = tempDir(t);
  const f = await makeTlsFixtures(dir);
  readableByBroker(dir);
  const port = await freePort();
  const broker = await startBroker(t, kind, dir, plain ? plainConf(port) : mtlsConf(port, f), port);
  return { f, port, log: broker.log };
}

function settings(r: Rig, role: 'm5go' | 'm5stack', over: Partial<FirmwareSettings>): FirmwareSettings {
  return {
    role,
    keySource: 'se-slot8',
    mqttHost: '127.0.0.1',
    mqttPort: r.port,
    clientId: role === 'm5go' ? 'm5go-01' : 'm5stack-01',
    topic: 'm5go/env',
    caCert: readFileSync(r.f.cafile, 'utf8'),
    clientCert: readFileSync(r.f.client.cert, 'utf8'),
    ...over,
  };
}

const common = {
  servername: 'localhost',
  rng: new SeededRng('device-live'),
  backoff: { initialMs: 100, maxMs: 400 },
} as const;

function stopAll(t: TestContext, ...devices: RunningDevice[]): void {
  t.after(async () => {
    for (const d of devices) await d.stop();
  });
}

for (const kind of ['mqtts-lab', 'mosquitto'] as const) {
  describe(`the lab sheet's live verification against ${kind}`, () => {
    test('1. secure element unplugged: the device halts, the broker sees no connection', async (t) => {
      const r = await rig(t, kind);
      const flash = buildFirmwareFlash(settings(r, 'm5go', {}));
      await new Promise((r2) => setTimeout(r2, 300)); // let the harness's readiness probe be logged
      const before = r.log().length;
      const device = await bootDevice({
        ...common,
        flash,
        environment: new Environment({ rng: new SeededRng('e') }),
      });
      assert.equal(device.status, 'halted');
      assert.equal(device.haltReason?.code, 'ERR_SE_NO_DEVICE');
      assert.match(device.console.text(), /secure element not found at 0x35\. Halting\./);
      await new Promise((r2) => setTimeout(r2, 200));
      assert.doesNotMatch(r.log().slice(before), /New (client )?connection from/);
      // The tap shows the probe: a general call, then 0x35 not acknowledged.
      const probe = device.board.tap.records().filter((x) => x.address === 0x35);
      assert.ok(probe.length > 0 && probe.every((x) => !x.ack));
    });

    test("2. wrong secure element (another device's key): the broker refuses the handshake, bad signature", async (t) => {
      const r = await rig(t, kind);
      const other = await r.f.issueClient('m5go-02', 'm5go-02');
      const wrong = await slot8Part(other.key, `${kind}-wrong`); // certificate in flash: m5go-01's
      const device = await bootDevice({
        ...common,
        flash: buildFirmwareFlash(settings(r, 'm5go', {})),
        secureElement: wrong,
        environment: new Environment({ rng: new SeededRng('wrong') }),
        intervalMs: 20,
        count: 1,
      });
      stopAll(t, device);
      assert.equal(device.status, 'running', 'nothing on the device can tell the key is the wrong one');
      await until('a refused handshake', 10_000, () => (device.link?.stats.failures ?? 0) >= 1);
      await until('the broker log', 5_000, () => /bad signature/.test(r.log()));
      // Device side: the broker's alert. Broker side: OpenSSL's verdict on the CertificateVerify.
      assert.match(device.console.text(), /TLS handshake failed: the server sent decrypt_error/);
      assert.match(r.log(), /OpenSSL Error\[0\]: error:0A00007B:SSL routines::bad signature/);
      assert.doesNotMatch(r.log(), /New client connected from \S+ as m5go-01/);
      assert.equal(device.link?.stats.connects, 0);
    });

    test('3 + 4. valid secure element: mTLS, CONNACK, SUBSCRIBE acknowledged, username = CN; every reading arrives in order', async (t) => {
      const r = await rig(t, kind);
      const pubPart = await slot8Part(r.f.client.key, `${kind}-pub`);
      // An RSA-2048 key (1,217 bytes of PKCS#8) does not fit slot 8's 416 bytes: P-256 it is.
      const subId = await r.f.issueClient('m5stack', 'm5stack-01');
      const subPart = await slot8Part(subId.key, `${kind}-sub`);
      const subscriber = await bootDevice({
        ...common,
        flash: buildFirmwareFlash(settings(r, 'm5stack', { clientCert: readFileSync(subId.cert, 'utf8') })),
        secureElement: subPart,
      });
      stopAll(t, subscriber);
      assert.equal(subscriber.status, 'running', subscriber.console.text());
      await until('the subscription', 10_000, () => subscriber.subscriber!.state.subscribed);
      const count = 12;
      const publisher = await bootDevice({
        ...common,
        flash: buildFirmwareFlash(settings(r, 'm5go', {})),
        secureElement: pubPart,
        environment: new Environment({ rng: new SeededRng(`${kind}-room`) }),
        intervalMs: 25,
        count,
      });
      stopAll(t, publisher);
      assert.equal(publisher.status, 'running', publisher.console.text());
      await publisher.publisher!.finished;
      await until('every reading', 10_000, () => subscriber.subscriber!.state.received === count);

      const pubLog = publisher.console.text();
      assert.match(pubLog, /ATECC608 detected at 0x35\./);
      assert.match(pubLog, /Chip locked and ready\./);
      assert.match(pubLog, /Key read from slot 8: 138 bytes DER\./);
      assert.match(pubLog, /TLS handshake OK: TLSv1\.2, TLS_ECDHE_/);
      assert.match(pubLog, /MQTT connected as m5go-01\./);
      assert.match(subscriber.console.text(), /Subscribed to m5go\/env \(QoS 0\)\./);
      // The broker's effective username is the certificate's CN (use_identity_as_username).
      assert.match(r.log(), /New client connected from \S+ as m5go-01 \(p2, c1, k15, u'm5go-01'\)\./);
      assert.match(r.log(), /New client connected from \S+ as m5stack-01 \(p2, c1, k15, u'm5stack-01'\)\./);

      const s = subscriber.subscriber!.state;
      assert.deepEqual(
        s.readings.map((x) => x.seq),
        Array.from({ length: count }, (_, i) => i + 1),
      );
      assert.equal(s.gaps, 0);
      assert.equal(s.invalid, 0);
      assert.deepEqual(s.readings.at(-1), publisher.publisher!.state.last);
      assert.ok(s.latenciesMs.every((ms) => ms >= 0 && ms < 5_000));
      t.diagnostic(
        `${kind}: ${count} readings, latency median ${median(s.latenciesMs)} ms, max ${Math.max(...s.latenciesMs)} ms`,
      );
      // The seed's mitigation: the firmware's key buffers hold no key once TLS has it.
      const der = new Uint8Array(
        createPrivateKey(readFileSync(r.f.client.key)).export({ type: 'pkcs8', format: 'der' }),
      );
      assert.deepEqual(publisher.ram.find(der.subarray(0, 64)), []);
      assert.deepEqual(publisher.ram.names().sort(), ['pemKey', 'slotData']);
    });
  });
}

function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)] ?? NaN;
}

describe('Steps 1 and 2', () => {
  test('Step 1: plain MQTT on a plain listener, no certificates, no secure element', async (t) => {
    const r = await rig(t, 'mqtts-lab', true);
    const base = { keySource: 'none' as const, caCert: undefined, clientCert: undefined };
    const subscriber = await bootDevice({
      ...common,
      flash: buildFirmwareFlash(settings(r, 'm5stack', base)),
    });
    stopAll(t, subscriber);
    await until('the subscription', 10_000, () => subscriber.subscriber!.state.subscribed);
    const publisher = await bootDevice({
      ...common,
      flash: buildFirmwareFlash(settings(r, 'm5go', base)),
      environment: new Environment({ rng: new SeededRng('step1') }),
      intervalMs: 20,
      count: 5,
    });
    stopAll(t, publisher);
    await publisher.publisher!.finished;
    await until('five readings', 10_000, () => subscriber.subscriber!.state.received === 5);
    assert.match(publisher.console.text(), /TCP connected to 127\.0\.0\.1:\d+ \(plain MQTT, no TLS\)\./);
    assert.doesNotMatch(publisher.console.text(), /ATECC608/);
  });

  test('Step 2: the key compiled into flash; the key left in RAM when zeroing is off', async (t) => {
    const r = await rig(t, 'mosquitto');
    const keyPem = readFileSync(r.f.client.key, 'utf8');
    const flash = buildFirmwareFlash(settings(r, 'm5go', { keySource: 'flash', clientKey: keyPem }));
    assert.ok(
      Buffer.from(flash).includes(keyPem),
      'the PEM key sits in the flash image, as in the lab sheet',
    );
    const publisher = await bootDevice({
      ...common,
      flash,
      environment: new Environment({ rng: new SeededRng('step2') }),
      intervalMs: 20,
      count: 2,
      zeroKeyBuffers: false,
    });
    stopAll(t, publisher);
    await publisher.publisher!.finished;
    assert.equal(publisher.publisher!.state.published, 2);
    assert.match(publisher.console.text(), /Key loaded from flash \(client_key\)\./);
    assert.deepEqual(publisher.ram.find(Buffer.from(keyPem.split('\n')[1]!)), ['pemKey']);
  });

  test("TLS 1.3 when the device is set to it: the broker's tls_version tlsv1.2 is a minimum, as in Mosquitto", async (t) => {
    const r = await rig(t, 'mqtts-lab');
    const part = await slot8Part(r.f.client.key, 'tls13');
    const device = await bootDevice({
      ...common,
      flash: buildFirmwareFlash(settings(r, 'm5go', {})),
      secureElement: part,
      environment: new Environment({ rng: new SeededRng('tls13') }),
      tlsMaxVersion: '1.3',
      intervalMs: 20,
      count: 1,
    });
    stopAll(t, device);
    await device.publisher!.finished;
    assert.match(device.console.text(), /TLS handshake OK: TLSv1\.3, TLS_AES_/);
  });

  test('reconnects with backoff when the broker is not there yet', async (t) => {
    const dir = tempDir(t);
    const f = await makeTlsFixtures(dir);
    const port = await freePort();
    const r0: Rig = { f, port, log: () => '' };
    const part = await slot8Part(f.client.key, 'late');
    const device = await bootDevice({
      ...common,
      flash: buildFirmwareFlash(settings(r0, 'm5go', {})),
      secureElement: part,
      environment: new Environment({ rng: new SeededRng('late') }),
      intervalMs: 20,
      count: 2,
    });
    stopAll(t, device);
    await until('two failed attempts', 10_000, () => device.link!.stats.failures >= 2);
    await startBroker(t, 'mqtts-lab', dir, mtlsConf(port, f), port);
    await device.publisher!.finished;
    assert.equal(device.publisher!.state.published, 2);
    assert.match(device.console.text(), /Retrying in \d+ ms\./);
  });
});

describe('Step 4 (key source se-slot0): the key never leaves the chip', () => {
  for (const kind of ['mqtts-lab', 'mosquitto'] as const) {
    test(`a certificate for the slot-0 key (CSR signed in the chip) authenticates the device to ${kind}`, async (t) => {
      const r = await rig(t, kind);
      const part = Atecc608b.create({ rng: new SeededRng(`${kind}-slot0`), timing: 'typical' });
      const bench = new Board({ flash: new Uint8Array(0), secureElement: part });
      const driver = new Atecc608Driver(bench.bus);
      const csr = await createCsr(
        { subject: buildName({ CN: 'm5go-01' }) },
        await secureElementSigner(driver, 0),
      );
      const certFile = await r.f.issueFromCsr('m5go-01-slot0', csr);
      const device = await bootDevice({
        ...common,
        flash: buildFirmwareFlash(
          settings(r, 'm5go', { keySource: 'se-slot0', clientCert: readFileSync(certFile, 'utf8') }),
        ),
        secureElement: part,
        environment: new Environment({ rng: new SeededRng('slot0') }),
        intervalMs: 20,
        count: 2,
      });
      stopAll(t, device);
      assert.equal(device.status, 'running', device.console.text());
      await device.publisher!.finished;
      assert.equal(device.publisher!.state.published, 2);
      assert.match(device.console.text(), /signatures by the secure element, slot 0/);
      assert.match(device.console.text(), /TLS handshake OK: TLSv1\.2, TLS_ECDHE_/);
      assert.match(r.log(), /New client connected from \S+ as m5go-01 \(p2, c1, k15, u'm5go-01'\)\./);
      assert.deepEqual(device.ram.names(), [], 'no key buffer was ever allocated');
      assert.doesNotMatch(device.console.text(), /Key read from slot 8/);
    });
  }

  test('--tls-version 1.3 with se-slot0: our TLS 1.3 client, the chip signs CertificateVerify', async (t) => {
    const r = await rig(t, 'mqtts-lab');
    const part = Atecc608b.create({ rng: new SeededRng('slot0-13'), timing: 'typical' });
    const bench = new Board({ flash: new Uint8Array(0), secureElement: part });
    const csr = await createCsr(
      { subject: buildName({ CN: 'm5go-01' }) },
      await secureElementSigner(new Atecc608Driver(bench.bus), 0),
    );
    const certFile = await r.f.issueFromCsr('m5go-01-slot0-13', csr);
    const device = await bootDevice({
      ...common,
      flash: buildFirmwareFlash(
        settings(r, 'm5go', { keySource: 'se-slot0', clientCert: readFileSync(certFile, 'utf8') }),
      ),
      secureElement: part,
      tlsMaxVersion: '1.3',
      environment: new Environment({ rng: new SeededRng('slot0-13') }),
      intervalMs: 20,
      count: 2,
    });
    stopAll(t, device);
    assert.equal(device.status, 'running', device.console.text());
    await device.publisher!.finished;
    assert.equal(device.publisher!.state.published, 2);
    assert.match(device.console.text(), /signatures by the secure element, slot 0/);
    assert.match(device.console.text(), /TLS handshake OK: TLSv1\.3, TLS_AES_/);
    assert.match(r.log(), /New client connected from \S+ as m5go-01 \(p2, c1, k15, u'm5go-01'\)\./);
    assert.deepEqual(device.ram.names(), [], 'no key buffer was ever allocated');
  });

  test('--tls-version 1.3 with se-slot0 and the wrong chip: the broker refuses the CertificateVerify', async (t) => {
    const r = await rig(t, 'mqtts-lab');
    const part = Atecc608b.create({ rng: new SeededRng('slot0-13-wrong'), timing: 'typical' });
    const device = await bootDevice({
      ...common,
      flash: buildFirmwareFlash(settings(r, 'm5go', { keySource: 'se-slot0' })),
      secureElement: part,
      tlsMaxVersion: '1.3',
      environment: new Environment({ rng: new SeededRng('slot0-13-wrong') }),
      intervalMs: 20,
      count: 1,
    });
    stopAll(t, device);
    await until('a refused attempt', 10_000, () => /decrypt_error/.test(device.console.text()));
    assert.match(device.console.text(), /TLS handshake OK: TLSv1\.3/);
    assert.equal(device.publisher!.state.published, 0);
  });
});
