import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { SeededRng, systemRng } from '../../core/rng.js';
import { privateKeyIn } from './keys.js';
import { publicKeyOf } from './p256.js';
import { BLANK_CONFIG, manufacture, TNGTLS_CONFIG } from './profiles.js';

test('tngtls: reference config with a fresh serial, keys in slots 0–4, MAC in slot 5, OTP code', () => {
  const e = manufacture('tngtls', { rng: new SeededRng('factory') });
  for (const i of [0, 1, 4, 5, 6, 7, 12, ...Array.from({ length: 115 }, (_, k) => k + 13)])
    assert.equal(e.config[i], TNGTLS_CONFIG[i], `config byte ${i}`);
  for (let slot = 0; slot <= 4; slot++) {
    const d = privateKeyIn(e, slot);
    assert.ok(d, `slot ${slot} holds a P-256 key`);
    assert.deepEqual([...e.slot(slot).subarray(0, 4)], [0, 0, 0, 0], 'PrivWrite layout: 4 pad bytes');
  }
  assert.match(Buffer.from(e.slot(5).subarray(0, 12)).toString('ascii'), /^049162[0-9A-F]{6}$/);
  assert.equal(Buffer.from(e.otp.subarray(0, 8)).toString('ascii'), 'KQp2ZkD8');
  assert.deepEqual(e.counters, [0, 0]);
});

test('tngtls: certificate slots 10–12 take the given blobs; oversize is ERR_SE_SLOT_INVALID', () => {
  const device = Uint8Array.from({ length: 72 }, (_, i) => i);
  const e = manufacture('tngtls', {
    rng: systemRng,
    certificates: { device, signer: Uint8Array.of(1, 2, 3) },
  });
  assert.deepEqual(e.slot(10), device);
  assert.deepEqual([...e.slot(12).subarray(0, 4)], [1, 2, 3, 0]);
  assert.throws(
    () => manufacture('tngtls', { rng: systemRng, certificates: { signerPublicKey: new Uint8Array(73) } }),
    (err: unknown) => isLabError(err, 'ERR_SE_SLOT_INVALID') && err.details.slot === 11,
  );
  assert.throws(
    () => manufacture('blank', { rng: systemRng, certificates: {} }),
    (err: unknown) => isLabError(err, 'ERR_OPTIONS_INVALID'),
  );
});

test('blank: factory default config, unlocked, empty data zone', () => {
  const e = manufacture('blank', { rng: systemRng });
  for (const i of [0, 1, 4, 5, 6, 7, 12, ...Array.from({ length: 115 }, (_, k) => k + 13)])
    assert.equal(e.config[i], BLANK_CONFIG[i], `config byte ${i}`);
  assert.equal(e.config[12], 0xee);
  assert.ok(e.data.every((b) => b === 0));
  assert.ok(e.otp.every((b) => b === 0));
});

test('a serial and an address can be chosen; a bad serial is refused', () => {
  const serial = Uint8Array.of(0x01, 0x23, 1, 2, 3, 4, 5, 6, 0x01);
  const e = manufacture('tngtls', { rng: systemRng, serial, i2cAddress: 0x36 });
  assert.deepEqual([...e.config.subarray(0, 4)], [0x01, 0x23, 1, 2]);
  assert.deepEqual([...e.config.subarray(8, 13)], [3, 4, 5, 6, 1]);
  assert.equal(e.config[16], 0x6c);
  assert.throws(
    () => manufacture('tngtls', { rng: systemRng, serial: new Uint8Array(9) }),
    (err: unknown) => isLabError(err, 'ERR_OPTIONS_INVALID'),
  );
});

test('two parts never share keys or serial; a seed reproduces a part', () => {
  const a = manufacture('tngtls', { rng: systemRng });
  const b = manufacture('tngtls', { rng: systemRng });
  assert.notDeepEqual(a.config.subarray(0, 13), b.config.subarray(0, 13));
  for (let slot = 0; slot <= 4; slot++)
    assert.notDeepEqual(publicKeyOf(privateKeyIn(a, slot)!), publicKeyOf(privateKeyIn(b, slot)!));
  const s1 = manufacture('tngtls', { rng: new SeededRng('lab-42') });
  const s2 = manufacture('tngtls', { rng: new SeededRng('lab-42') });
  assert.deepEqual(s1.data, s2.data);
  assert.deepEqual(s1.config, s2.config);
});
