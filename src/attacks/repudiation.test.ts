import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { FixedClock } from '../core/clock.js';
import {
  encodeReading,
  type MqttLink,
  parseReading,
  ReadingVerifier,
  SerialConsole,
  signReading,
  Subscriber,
} from '../device/index.js';
import { labCa, seBench } from '../device/apps/signed-rig.case.js';
import type { Signer } from '../pki/index.js';
import { forgeReading, receptionEvidence, watchSubscriber } from './repudiation.js';
import type { AttackTarget } from './target.js';

const TOPIC = 'm5go/env';

/**
 * A real Subscriber app on a fake link: `deliver` is the broker handing it a message. With
 * `signed`, Step 4: the device signs in its chip and the subscriber verifies.
 */
async function rig(signed?: { signer: Signer; verifier: ReadingVerifier }) {
  const clock = new FixedClock('2025-03-14T09:00:00.000Z');
  const console = new SerialConsole(clock);
  const link = new EventEmitter();
  const app = new Subscriber(link as unknown as MqttLink, console, {
    topic: TOPIC,
    qos: 0,
    now: () => clock.now().getTime(),
    ...(signed ? { verifier: signed.verifier } : {}),
  });
  const client = Object.assign(new EventEmitter(), {
    subscribeAsync: async () => [{ topic: TOPIC, qos: 0 }],
  });
  link.emit('connected', client);
  while (!app.state.subscribed) await new Promise((r) => setImmediate(r));
  const deliver = (payload: string) => client.emit('message', TOPIC, Buffer.from(payload));
  const target = {
    publisherSettings: { clientId: 'm5go-01' },
    subscriber: { subscriber: app, console },
    clock,
  } as unknown as AttackTarget;
  const reading = (seq: number) =>
    parseReading(
      encodeReading({ deviceId: 'm5go-01', seq, temperature: 21.5, humidity: 40, pressure: 1013 }, clock),
    );
  // Delivered in order: a signature is made before the reading goes out.
  let queue = Promise.resolve();
  const genuine = (seq: number) => {
    queue = queue.then(async () => {
      const r = signed ? await signReading(reading(seq), TOPIC, signed.signer) : reading(seq);
      deliver(JSON.stringify(r));
    });
    return queue;
  };
  await genuine(7);
  return { target, app, console, deliver, genuine };
}

test('the forged reading passes the subscriber’s strict schema, claims the next seq, and carries its marker', async () => {
  const { target } = await rig();
  const f = forgeReading(target);
  assert.deepEqual(parseReading(f.payload), f.reading);
  assert.equal(f.reading.deviceId, 'm5go-01');
  assert.equal(f.reading.seq, 8);
  assert.equal(f.reading.temperature, 36.5);
  assert.match(f.reading.timestamp, /\+00:00$/, 'the firmware writes Z, never +00:00');
});

test('displayed as m5go-01’s own: in order, nothing flags it; the real #8 then looks like the duplicate', async () => {
  const { target, deliver, genuine } = await rig();
  const f = forgeReading(target);
  const r = await watchSubscriber(
    target,
    f,
    async () => {
      deliver(f.payload);
      await genuine(8);
    },
    500,
  );
  assert.deepEqual(r.displayed, f.reading);
  assert.equal(r.next?.seq, 8);
  assert.equal(r.flagged, false);
  assert.deepEqual(r.console, [
    'Display m5go-01 #8: 36.50 °C  40.0 %RH  1013.00 hPa',
    'm5go-01 #8: duplicate.',
    'Display m5go-01 #8: 21.50 °C  40.0 %RH  1013.00 hPa',
  ]);
  const state = receptionEvidence(target, r)[1]!.data;
  assert.match(state, /sequence event for it: in-order/);
  assert.match(state, /the device's own next reading: #8, sequence event duplicate/);
});

test('a subscriber that doubts the reading turns it into flagged (the outcome is read, not assumed)', async () => {
  const { target, console, deliver, genuine } = await rig();
  const f = forgeReading(target);
  // What a subscriber that verifies signatures would print.
  console.onLine((l) => {
    if (l.text.startsWith('Display m5go-01 #8'))
      console.println('m5go-01 #8: unsigned reading, not from the device.');
  });
  const r = await watchSubscriber(
    target,
    f,
    async () => {
      deliver(f.payload);
      await genuine(8);
    },
    500,
  );
  assert.equal(r.flagged, true);
});

test('Step 4’s subscriber verifies signatures: the forgery is displayed FLAGGED, and the evidence quotes the line', async () => {
  const { signer } = await seBench('repudiation');
  const { caPem, issue } = await labCa();
  const verifier = ReadingVerifier.create({ caCert: caPem, publisherCert: await issue(signer, 'm5go-01') });
  const { target, app, deliver, genuine } = await rig({ signer, verifier });
  const f = forgeReading(target);
  assert.equal(f.reading.seq, 8, 'the forger still reads the next seq off the subscriber');
  const r = await watchSubscriber(
    target,
    f,
    async () => {
      deliver(f.payload);
      await genuine(8);
    },
    500,
  );
  assert.deepEqual(r.displayed, f.reading);
  assert.deepEqual(r.status, { kind: 'flagged', reason: 'unsigned' });
  assert.equal(r.flagged, true);
  assert.equal(
    r.flagLine,
    "FLAGGED m5go-01 #8 (unsigned): 36.50 °C  40.0 %RH  1013.00 hPa — not accepted as m5go-01's.",
  );
  assert.equal(r.next?.seq, 8);
  assert.deepEqual(r.console, [r.flagLine, 'Display m5go-01 #8 (verified): 21.50 °C  40.0 %RH  1013.00 hPa']);
  // The real #8 is in order: the forgery never entered the device's sequence.
  assert.deepEqual(
    app.state.events.map((e) => e.kind),
    ['first', 'in-order'],
  );
  const state = receptionEvidence(target, r)[1]!.data;
  assert.match(state, /taken as: flagged \(unsigned\)/);
  assert.match(state, /flagged on the console: FLAGGED m5go-01 #8 \(unsigned\)/);
  assert.match(state, /the device's own next reading: #8, sequence event in-order/);
});

test('never delivered: not displayed, after the whole watch', async () => {
  const { target } = await rig();
  const f = forgeReading(target);
  const started = Date.now();
  const r = await watchSubscriber(target, f, async () => {}, 120);
  assert.equal(r.displayed, undefined);
  assert.ok(Date.now() - started >= 100);
});
