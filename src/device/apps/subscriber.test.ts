import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { FixedClock } from '../../core/clock.js';
import { SerialConsole } from '../firmware/console.js';
import type { MqttLink } from '../firmware/link.js';
import { encodeReading, parseReading, type Reading } from './reading.js';
import { signReading } from './reading-signature.js';
import { ReadingVerifier } from './reading-verifier.js';
import { labCa, seBench, softwareSigner } from './signed-rig.case.js';
import { type ReadingStatus, Subscriber } from './subscriber.js';

const TOPIC = 'm5go/env';
/** The words src/attacks/repudiation.ts looks for on a line that names the reading's `#seq`. */
const DOUBT = /forg|unsigned|unverified|signature|untrusted|not from|rejected/i;

/** A Subscriber on a fake link: `deliver` is the broker handing it a message. */
async function rig(verifier?: ReadingVerifier) {
  const clock = new FixedClock('2025-03-14T09:00:00.000Z');
  const log = new SerialConsole(clock);
  const link = new EventEmitter();
  const app = new Subscriber(link as unknown as MqttLink, log, {
    topic: TOPIC,
    qos: 0,
    now: () => clock.now().getTime(),
    ...(verifier ? { verifier } : {}),
  });
  const client = Object.assign(new EventEmitter(), {
    subscribeAsync: async () => [{ topic: TOPIC, qos: 0 }],
  });
  link.emit('connected', client);
  while (!app.state.subscribed) await new Promise((r) => setImmediate(r));
  const seen: [number, ReadingStatus][] = [];
  app.onReading((r, status) => seen.push([r.seq, status]));
  const deliver = (r: Reading | string) =>
    client.emit('message', TOPIC, Buffer.from(typeof r === 'string' ? r : JSON.stringify(r)));
  const reading = (seq: number, temperature = 21.5): Reading =>
    parseReading(
      encodeReading({ deviceId: 'm5go-01', seq, temperature, humidity: 40, pressure: 1013 }, clock),
    );
  const lines = () =>
    log
      .lines()
      .map((l) => l.text)
      .filter((t) => !t.startsWith('Subscribed'));
  return { app, deliver, reading, lines, seen };
}

async function signing() {
  const { signer } = await seBench('subscriber');
  const { caPem, issue } = await labCa();
  const verifier = ReadingVerifier.create({ caCert: caPem, publisherCert: await issue(signer, 'm5go-01') });
  return { signer, verifier };
}

test('Steps 1–3 (no verification): readings are displayed as before, signed or not', async () => {
  const { signer } = await signing();
  const { app, deliver, reading, lines, seen } = await rig();
  deliver(reading(1));
  deliver(await signReading(reading(2), TOPIC, signer));
  deliver({ ...reading(3), sig: 'not a signature' });
  assert.deepEqual(lines(), [
    'Display m5go-01 #1: 21.50 °C  40.0 %RH  1013.00 hPa',
    'Display m5go-01 #2: 21.50 °C  40.0 %RH  1013.00 hPa',
    'Display m5go-01 #3: 21.50 °C  40.0 %RH  1013.00 hPa',
  ]);
  assert.equal(app.state.received, 3);
  assert.equal(app.state.flagged, 0);
  assert.equal(app.state.verified, 0);
  assert.deepEqual(
    seen.map(([, s]) => s.kind),
    ['displayed', 'displayed', 'displayed'],
  );
});

test("Step 4: the device's signed readings are verified; a forgery is displayed FLAGGED and kept out", async () => {
  const { signer, verifier } = await signing();
  const { app, deliver, reading, lines, seen } = await rig(verifier);
  deliver(await signReading(reading(1), TOPIC, signer));
  deliver(reading(2, 36.5)); // someone else's, unsigned, claiming the next seq
  deliver(await signReading(reading(2), TOPIC, signer));
  assert.deepEqual(lines(), [
    'Display m5go-01 #1 (verified): 21.50 °C  40.0 %RH  1013.00 hPa',
    "FLAGGED m5go-01 #2 (unsigned): 36.50 °C  40.0 %RH  1013.00 hPa — not accepted as m5go-01's.",
    'Display m5go-01 #2 (verified): 21.50 °C  40.0 %RH  1013.00 hPa',
  ]);
  assert.ok(
    DOUBT.test(lines()[1]!) && lines()[1]!.includes('#2'),
    'the repudiation attack reads it as flagged',
  );
  assert.ok(!DOUBT.test(lines()[0]!), 'a verified line reads as no doubt');
  // Not the device's: not counted, not in its readings, and the real #2 is in order, not a duplicate.
  assert.equal(app.state.received, 2);
  assert.equal(app.state.verified, 2);
  assert.equal(app.state.flagged, 1);
  assert.equal(app.state.lastFlagged?.reason, 'unsigned');
  assert.deepEqual(
    app.state.readings.map((r) => r.temperature),
    [21.5, 21.5],
  );
  assert.deepEqual(
    app.state.events.map((e) => e.kind),
    ['first', 'in-order'],
  );
  assert.deepEqual(seen, [
    [1, { kind: 'verified' }],
    [2, { kind: 'flagged', reason: 'unsigned' }],
    [2, { kind: 'verified' }],
  ]);
});

test('Step 4: a tampered field, a wrong key, a malformed sig, another device: each flagged and said why', async () => {
  const { signer, verifier } = await signing();
  const { app, deliver, reading, lines } = await rig(verifier);
  const genuine = await signReading(reading(5), TOPIC, signer);
  deliver({ ...genuine, temperature: 40 });
  deliver(await signReading(reading(6), TOPIC, await softwareSigner()));
  deliver({ ...genuine, seq: 7, sig: genuine.sig!.slice(2) });
  deliver({ ...genuine, deviceId: 'm5go-99', seq: 8 });
  const flagged = lines();
  assert.deepEqual(flagged, [
    "FLAGGED m5go-01 #5 (signature does not verify): 40.00 °C  40.0 %RH  1013.00 hPa — not accepted as m5go-01's.",
    "FLAGGED m5go-01 #6 (signature does not verify): 21.50 °C  40.0 %RH  1013.00 hPa — not accepted as m5go-01's.",
    "FLAGGED m5go-01 #7 (malformed signature): 21.50 °C  40.0 %RH  1013.00 hPa — not accepted as m5go-01's.",
    "FLAGGED m5go-99 #8 (no certificate for this device, unverified): 21.50 °C  40.0 %RH  1013.00 hPa — not accepted as m5go-99's.",
  ]);
  for (const [i, line] of flagged.entries()) assert.ok(DOUBT.test(line) && line.includes(`#${5 + i}`), line);
  assert.equal(app.state.flagged, 4);
  assert.equal(app.state.received, 0);
  assert.equal(app.state.invalid, 0, 'they were readings: displayed flagged, not rejected as malformed');
});
