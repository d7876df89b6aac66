import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FixedClock } from '../../core/clock.js';
import { isLabError } from '../../core/errors.js';
import { encodeReading, parseReading, type Reading } from './reading.js';
import { signReading } from './reading-signature.js';
import { ReadingVerifier } from './reading-verifier.js';
import { labCa, seBench, softwareSigner } from './signed-rig.case.js';

const TOPIC = 'm5go/env';
const DAY = 86_400_000;
const reading = (seq: number): Reading =>
  parseReading(
    encodeReading({ deviceId: 'm5go-01', seq, temperature: 21.37, humidity: 45.2, pressure: 1013.42 }),
  );

/** Step 4's publisher (the chip's slot-0 key, certified as m5go-01) and a subscriber that verifies. */
async function rig() {
  const { signer } = await seBench('verifier');
  const { caPem, issue } = await labCa();
  const certPem = await issue(signer, 'm5go-01');
  const verifier = ReadingVerifier.create({ caCert: caPem, publisherCert: certPem });
  return { signer, caPem, issue, certPem, verifier };
}

test("the chip's signature verifies against the device certificate; the CN is the one deviceId", async () => {
  const { signer, verifier } = await rig();
  assert.equal(verifier.deviceId, 'm5go-01');
  assert.match(verifier.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  const signed = await signReading(reading(1), TOPIC, signer);
  assert.deepEqual(verifier.verify(signed, TOPIC), { ok: true });
  // Through the wire format too: JSON text, parsed back by the subscriber's schema.
  assert.deepEqual(verifier.verify(parseReading(JSON.stringify(signed)), TOPIC), { ok: true });
});

test('every signed field is covered: changing any one of them makes the signature fail', async () => {
  const { signer, verifier } = await rig();
  const signed = await signReading(reading(7), TOPIC, signer);
  const changes: Partial<Reading>[] = [
    { seq: 8 },
    { timestamp: signed.timestamp.replace('Z', '+00:00') }, // the same instant, other text
    { temperature: signed.temperature + 15 },
    { humidity: signed.humidity + 0.1 },
    { pressure: signed.pressure - 0.01 },
  ];
  for (const change of changes) {
    assert.deepEqual(verifier.verify({ ...signed, ...change }, TOPIC), {
      ok: false,
      reason: 'bad-signature',
    });
  }
  assert.deepEqual(verifier.verify(signed, 'm5go/other'), { ok: false, reason: 'bad-signature' });
  // Another device's name: no certificate for it here, whatever the signature.
  assert.deepEqual(verifier.verify({ ...signed, deviceId: 'm5go-99' }, TOPIC), {
    ok: false,
    reason: 'unknown-device',
  });
});

test('unsigned, malformed, or signed with another key: flagged, each with its reason', async () => {
  const { signer, verifier } = await rig();
  assert.deepEqual(verifier.verify(reading(1), TOPIC), { ok: false, reason: 'unsigned' });
  const signed = await signReading(reading(2), TOPIC, signer);
  for (const sig of [
    '',
    'AAAA',
    `${signed.sig!}A`,
    signed.sig!.replace(/^./, '!'),
    Buffer.alloc(64).toString('hex'),
  ]) {
    assert.deepEqual(verifier.verify({ ...signed, sig }, TOPIC), {
      ok: false,
      reason: 'malformed-signature',
    });
  }
  // Well-formed but from another key: someone holding any P-256 key, the broker's operator included.
  const forged = await signReading(reading(2), TOPIC, await softwareSigner());
  assert.deepEqual(verifier.verify(forged, TOPIC), { ok: false, reason: 'bad-signature' });
  // A certificate the CA issued to another device does not make its key speak for m5go-01.
  const { caPem, issue } = await rig();
  const other = await softwareSigner();
  const otherVerifier = ReadingVerifier.create({
    caCert: caPem,
    publisherCert: await issue(other, 'm5go-01'),
  });
  assert.deepEqual(otherVerifier.verify(signed, TOPIC), { ok: false, reason: 'bad-signature' });
  // Zero R and S are malformed for P-256 but spelled correctly: OpenSSL refuses them as a bad signature.
  const zero = { ...signed, sig: Buffer.alloc(64).toString('base64url') };
  assert.deepEqual(verifier.verify(zero, TOPIC), { ok: false, reason: 'bad-signature' });
});

test('the publisher certificate must validate against the CA in flash, or the subscriber does not start', async () => {
  const { signer, caPem, certPem } = await rig();
  const untrusted = (reason: string) => (err: unknown) =>
    isLabError(err, 'ERR_TELEMETRY_SIGNER_UNTRUSTED') && err.details.reason === reason;
  const elsewhere = await labCa();
  assert.throws(
    () => ReadingVerifier.create({ caCert: elsewhere.caPem, publisherCert: certPem }),
    untrusted('ISSUER_UNKNOWN'),
  );
  const later = new FixedClock(new Date(Date.now() + 400 * DAY));
  assert.throws(
    () => ReadingVerifier.create({ caCert: caPem, publisherCert: certPem, clock: later }),
    untrusted('CERT_EXPIRED'),
  );
  const ca = await labCa();
  const rsa = await ca.issue(await softwareSigner('rsa-2048'), 'm5go-01');
  assert.throws(
    () => ReadingVerifier.create({ caCert: ca.caPem, publisherCert: rsa }),
    untrusted('not-p256'),
  );
  // The CA itself is not a device: its key must not be able to speak for one.
  assert.throws(
    () => ReadingVerifier.create({ caCert: caPem, publisherCert: caPem }),
    untrusted('not-end-entity'),
  );
  assert.ok(
    ReadingVerifier.create({ caCert: caPem, publisherCert: certPem }).verify(
      await signReading(reading(1), TOPIC, signer),
      TOPIC,
    ).ok,
  );
});
