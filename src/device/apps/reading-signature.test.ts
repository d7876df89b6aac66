import assert from 'node:assert/strict';
import { createHash, verify } from 'node:crypto';
import { test } from 'node:test';
import { FixedClock } from '../../core/clock.js';
import { isLabError } from '../../core/errors.js';
import { ecdsaRawToDer } from '../../pki/index.js';
import { p256PublicKeyInfo } from '../drivers/atecc608-signer.js';
import { encodeReading, MAX_READING_BYTES, parseReading, type Reading } from './reading.js';
import { decodeSig, ecdsaDerToRaw, readingSignedBytes, signReading } from './reading-signature.js';
import { seBench, softwareSigner } from './signed-rig.case.js';

const TOPIC = 'm5go/env';
const CLOCK = new FixedClock('2025-03-14T09:00:00.000Z');
const READING = parseReading(
  encodeReading(
    { deviceId: 'm5go-01', seq: 42, temperature: 21.37, humidity: 45.2, pressure: 1013.42 },
    CLOCK,
  ),
);

test('what is signed: a tag, the topic and every field, in a fixed order, as one JSON array', () => {
  assert.equal(
    Buffer.from(readingSignedBytes(READING, TOPIC)).toString('utf8'),
    '["mqtts-lab/reading/v1","m5go/env","m5go-01",42,"2025-03-14T09:00:00.000Z",21.37,45.2,1013.42]',
  );
  // The key order and number spelling of the payload do not matter, the values do; sig is not signed.
  const respelled = parseReading(
    '{"pressure":1013.420,"humidity":45.20,"temperature":21.370,"timestamp":"2025-03-14T09:00:00.000Z","seq":42,"deviceId":"m5go-01","sig":"x"}',
  );
  assert.deepEqual(readingSignedBytes(respelled, TOPIC), readingSignedBytes(READING, TOPIC));
  // JSON escaping keeps the fields apart: no separator inside a field can shift one into the next.
  const a = readingSignedBytes({ ...READING, deviceId: 'a' }, 'x","b');
  const b = readingSignedBytes({ ...READING, deviceId: 'b' }, 'x","a');
  assert.notDeepEqual(a, b);
});

test('the secure element signs: Nonce pass-through of SHA-256, then Sign mode 0x80 with slot 0', async () => {
  const { part, driver, signer } = await seBench();
  const before = driver.commandsSent;
  const signed = await signReading(READING, TOPIC, signer);
  assert.equal(driver.commandsSent - before, 2, 'Nonce + Sign, nothing else');
  const { sig, ...fields } = signed;
  assert.deepEqual(fields, { ...READING });
  const raw = decodeSig(sig!)!;
  assert.equal(raw.length, 64);
  const message = readingSignedBytes(signed, TOPIC);
  // Two independent checks: Node's OpenSSL, and the chip's own Verify command (its own P-256).
  const spki = p256PublicKeyInfo(part.publicKey(0)!);
  assert.ok(
    verify(
      'sha256',
      message,
      { key: Buffer.from(spki), format: 'der', type: 'spki', dsaEncoding: 'ieee-p1363' },
      raw,
    ),
  );
  const digest = new Uint8Array(createHash('sha256').update(message).digest());
  assert.equal(await driver.verifySignature(digest, raw, part.publicKey(0)!), true);
  raw[10]! ^= 1;
  assert.equal(await driver.verifySignature(digest, raw, part.publicKey(0)!), false);
});

test('a signed reading is still a reading: under 512 bytes, accepted by the strict schema', async () => {
  const { signer } = await seBench();
  const payload = JSON.stringify(await signReading(READING, TOPIC, signer));
  assert.ok(payload.length < MAX_READING_BYTES, `${payload.length} bytes`);
  assert.match(payload, /,"sig":"[A-Za-z0-9_-]{86}"\}$/);
  assert.equal(parseReading(payload).sig?.length, 86);
});

test('only ECDSA P-256 with SHA-256 signs readings', async () => {
  await assert.rejects(signReading(READING, TOPIC, await softwareSigner('rsa-2048')), (err) =>
    isLabError(err, 'ERR_OPTIONS_INVALID'),
  );
});

test('sig: exactly 86 base64url characters, in their one canonical spelling', () => {
  const raw = new Uint8Array(64).map((_, i) => i * 7);
  const sig = Buffer.from(raw).toString('base64url');
  assert.deepEqual(decodeSig(sig), raw);
  // The last character carries 4 unused bits: "…A" and "…B" decode alike, only one is canonical.
  const last = sig.at(-1)!;
  const twin = sig.slice(0, -1) + String.fromCharCode(last.charCodeAt(0) + 1);
  assert.deepEqual(Buffer.from(twin, 'base64url'), Buffer.from(raw));
  assert.equal(decodeSig(twin), undefined);
  for (const bad of [
    '',
    sig.slice(1),
    `${sig}A`,
    `${sig.slice(0, -2)}+/`,
    `${sig.slice(0, -1)}=`,
    sig.replace(/./, ' '),
  ])
    assert.equal(decodeSig(bad), undefined, JSON.stringify(bad));
});

test('DER ↔ raw R‖S: high bits, leading zeros, and what is not a P-256 signature', () => {
  for (const fill of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
    const raw = new Uint8Array(64).fill(fill);
    raw[31] = 1; // never zero
    raw[63] = 2;
    assert.deepEqual(ecdsaDerToRaw(ecdsaRawToDer(raw)), raw, `fill ${fill}`);
  }
  const bad = (der: number[]) => () => ecdsaDerToRaw(Uint8Array.from(der));
  const rejects = (err: unknown) => isLabError(err, 'ERR_SE_COMMUNICATION');
  assert.throws(bad([0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]), rejects); // SET, not SEQUENCE
  assert.throws(bad([0x30, 0x03, 0x02, 0x01, 0x01]), rejects); // one INTEGER
  assert.throws(bad([0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01]), rejects); // negative
  assert.throws(bad([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01]), rejects); // truncated
  assert.throws(
    bad([0x30, 0x25, 0x02, 0x21, 0x01, ...new Array<number>(32).fill(1), 0x02, 0x01, 0x01]),
    rejects,
  ); // 33 bytes
});

/**
 * What one signed reading costs the device, on the I2C bus as the SparkFun driver drives it:
 * wake + Nonce (7 ms fixed wait) + wake + Sign (70 ms fixed wait) and the transfers at 100 kHz.
 * The part's own busy time is modelled at 5 + 60 ms ('typical') or 20 + 115 ms ('max',
 * CryptoAuthLib's maxima): with 'max' the Nonce is still busy when the driver's 7 ms wait and
 * 20 polls are over, so the reading cannot be signed, as the TLS handshake cannot
 * (hardware/atecc608b/sparkfun.test.ts).
 */
test('cost: one reading signature in bus time, typical part vs slowest part', async (t) => {
  const typical = await seBench('cost', 'typical');
  const start = typical.bus.nowUs();
  const signed: Reading = await signReading(READING, TOPIC, typical.signer);
  const us = typical.bus.nowUs() - start;
  assert.ok(signed.sig);
  assert.ok(us >= 88_000 && us < 98_000, `${us} µs`); // 92.9 ms in the last runs
  t.diagnostic(`Nonce + Sign per reading: ${(us / 1000).toFixed(1)} ms of bus time (typical part)`);

  const slow = await seBench('cost', 'max');
  await assert.rejects(
    signReading(READING, TOPIC, slow.signer),
    (err) => isLabError(err) && /^ERR_SE_/.test(err.code),
  );
});
