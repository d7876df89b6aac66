/**
 * Signed readings end to end, Step 4 as the lab runs it: the M5Go and the M5Stack on emulated
 * hardware (each with its own ATECC608B, certificates issued from CSRs signed in the chips),
 * our broker in process with the lab sheet's mutual TLS. The broker is the adversary here: a
 * compromised broker publishes into its own subscriptions, past every TLS check there is.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import { SeededRng } from '../core/rng.js';
import { parseMosquittoConf, startBroker } from '../broker/index.js';
import { Atecc608b } from '../hardware/atecc608b/index.js';
import { Environment } from '../hardware/env2/index.js';
import { buildName, createCsr } from '../pki/index.js';
import { tempDir } from '../../test/helpers/openssl.js';
import { freePort } from '../../test/helpers/process.js';
import { makeTlsFixtures } from '../../test/helpers/tls-fixtures.js';
import { bootDevice, type RunningDevice } from './device.js';
import { secureElementSigner } from './drivers/atecc608-signer.js';
import { Atecc608Driver } from './drivers/atecc608.js';
import { Board } from './firmware/board.js';
import { buildFirmwareFlash, type FirmwareSettings } from './firmware/flash.js';
import type { Reading } from './apps/reading.js';

const TOPIC = 'm5go/env';

async function until(what: string, ms: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function step4(t: TestContext) {
  const dir = tempDir(t);
  const f = await makeTlsFixtures(dir);
  const port = await freePort();
  const conf = [
    `listener ${port} 127.0.0.1`,
    `cafile ${f.cafile}`,
    `certfile ${f.server.cert}`,
    `keyfile ${f.server.key}`,
    'require_certificate true',
    'use_identity_as_username true',
    'tls_version tlsv1.2',
    '',
  ].join('\n');
  const running = await startBroker(parseMosquittoConf(conf, { file: 'mosquitto.conf', baseDir: dir }), {
    stderr: () => {},
    stdout: () => {},
  });
  t.after(() => running.close());
  // Each device's slot-0 key, certified from a CSR the chip signed: no key exists outside a chip.
  const chip = async (cn: string, seed: string) => {
    const part = Atecc608b.create({ rng: new SeededRng(seed), timing: 'typical' });
    const bench = new Board({ flash: new Uint8Array(0), secureElement: part });
    const csr = await createCsr(
      { subject: buildName({ O: 'Ciel Lab', CN: cn }) },
      await secureElementSigner(new Atecc608Driver(bench.bus), 0),
    );
    return { part, certPem: readFileSync(await f.issueFromCsr(cn, csr), 'utf8') };
  };
  const pub = await chip('m5go-01', 'signed-pub');
  const sub = await chip('m5stack-01', 'signed-sub');
  const settings = (role: 'm5go' | 'm5stack', clientCert: string): FirmwareSettings => ({
    role,
    keySource: 'se-slot0',
    mqttHost: '127.0.0.1',
    mqttPort: port,
    clientId: role === 'm5go' ? 'm5go-01' : 'm5stack-01',
    topic: TOPIC,
    caCert: readFileSync(f.cafile, 'utf8'),
    clientCert,
    signedReadings: true,
    ...(role === 'm5stack' ? { publisherCert: pub.certPem } : {}),
  });
  const devices: RunningDevice[] = [];
  t.after(async () => {
    for (const d of devices) await d.stop();
  });
  const common = { servername: 'localhost', backoff: { initialMs: 50, maxMs: 200 } } as const;
  const subscriber = await bootDevice({
    ...common,
    flash: buildFirmwareFlash(settings('m5stack', sub.certPem)),
    secureElement: sub.part,
    rng: new SeededRng('signed-sub-link'),
  });
  devices.push(subscriber);
  assert.equal(subscriber.status, 'running', subscriber.console.text());
  await until('the subscription', 10_000, () => subscriber.subscriber!.state.subscribed);
  const publisher = await bootDevice({
    ...common,
    flash: buildFirmwareFlash(settings('m5go', pub.certPem)),
    secureElement: pub.part,
    environment: new Environment({ rng: new SeededRng('signed-room') }),
    rng: new SeededRng('signed-pub-link'),
    intervalMs: 40,
  });
  devices.push(publisher);
  assert.equal(publisher.status, 'running', publisher.console.text());
  await until('three verified readings', 10_000, () => subscriber.subscriber!.state.verified >= 3);
  /** What a compromised broker can do: deliver anything to its subscribers, as if published. */
  const inject = (payload: string) =>
    running.broker.publish({
      topic: TOPIC,
      payload: Buffer.from(payload),
      qos: 0,
      retain: false,
      properties: undefined,
      expiresAt: undefined,
      origin: undefined,
    });
  return { running, publisher, subscriber, inject };
}

test('Step 4: every reading is signed in the chip and verified by the M5Stack', async (t) => {
  const { publisher, subscriber } = await step4(t);
  const pubLog = publisher.console.text();
  assert.match(pubLog, /Readings signed by the secure element \(slot 0\)\./);
  assert.match(pubLog, /Published #1 to m5go\/env: .* hPa, signed by the secure element in \d+\.\d ms/);
  assert.match(subscriber.console.text(), /Readings verified against m5go-01's certificate \(SHA-256 /);
  assert.match(subscriber.console.text(), /Display m5go-01 #1 \(verified\): /);
  const s = subscriber.subscriber!.state;
  assert.equal(s.flagged, 0);
  assert.equal(s.verified, s.received);
  assert.equal(publisher.publisher!.state.signFailures, 0);
  assert.ok(publisher.publisher!.state.lastSignUs! > 60_000, 'at least the Sign command’s modelled 60 ms');
  assert.deepEqual(publisher.ram.names(), [], 'no key buffer is ever allocated');
});

test('Step 4: a reading the broker injects itself is flagged, signed or not', async (t) => {
  const { subscriber, inject } = await step4(t);
  const app = subscriber.subscriber!;
  const last = app.state.last!;
  const flaggedBefore = app.state.flagged;
  // 1. The broker writes a reading in m5go-01's name, next seq, 15 °C warmer: no signature.
  const unsigned: Reading = {
    ...last,
    seq: last.seq + 1,
    temperature: last.temperature + 15,
    sig: undefined,
  };
  inject(JSON.stringify(unsigned));
  // 2. It copies the device's last signature onto changed values.
  inject(JSON.stringify({ ...last, temperature: last.temperature + 15 }));
  await until('both forgeries flagged', 5_000, () => app.state.flagged >= flaggedBefore + 2);
  const text = subscriber.console.text();
  assert.match(
    text,
    new RegExp(`FLAGGED m5go-01 #${last.seq + 1} \\(unsigned\\): .* — not accepted as m5go-01's\\.`),
  );
  assert.match(text, new RegExp(`FLAGGED m5go-01 #${last.seq} \\(signature does not verify\\): `));
  assert.ok(
    app.state.readings.every((r) => r.temperature !== last.temperature + 15),
    'no forged value among the device’s readings',
  );
  // 3. Replaying the device's own signed reading verbatim: it verifies (a signature is not
  // freshness), and the sequence tracker reports it for what it is.
  const received = app.state.received;
  inject(JSON.stringify(last));
  await until('the replay', 5_000, () => app.state.received > received);
  assert.ok(app.state.events.some((e) => e.seq === last.seq && e.kind === 'duplicate'));
});
