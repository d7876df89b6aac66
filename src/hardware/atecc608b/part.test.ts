import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { SeededRng } from '../../core/rng.js';
import { decodeImage } from './image.js';
import { privateKeyIn } from './keys.js';
import { Atecc608b } from './part.js';

test('create validates its options: unknown keys, profiles, timing, serial, address', () => {
  assert.throws(
    () => Atecc608b.create({ profile: 'tnglora' as never }),
    (e: unknown) => isLabError(e, 'ERR_SE_PROFILE_UNKNOWN'),
  );
  assert.throws(
    () => Atecc608b.create({ seed: 1 } as never),
    (e: unknown) => isLabError(e, 'ERR_OPTIONS_UNKNOWN_KEY'),
  );
  assert.throws(
    () => Atecc608b.create({ timing: 'slow' as never }),
    (e: unknown) => isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
  assert.throws(
    () => Atecc608b.create({ serial: '0123' }),
    (e: unknown) => isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
  assert.throws(
    () => Atecc608b.create({ i2cAddress: 0x80 }),
    (e: unknown) => isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
  assert.throws(
    () => Atecc608b.create({ profile: 'blank', certificates: {} } as never),
    (e: unknown) => isLabError(e, 'ERR_OPTIONS_UNKNOWN_KEY'),
  );
  assert.throws(
    () => Atecc608b.fromImage(new Uint8Array(0), { speed: 1 } as never),
    (e: unknown) => isLabError(e, 'ERR_OPTIONS_UNKNOWN_KEY'),
  );
  assert.equal(Atecc608b.create({ profile: undefined }).profile, 'tngtls');
  const part = Atecc608b.create({ serial: '0123AABBCCDDEEFF01', i2cAddress: 0x36 });
  assert.equal(Buffer.from(part.serialNumber).toString('hex'), '0123aabbccddeeff01');
  assert.equal(part.i2cAddress, 0x36);
  assert.equal(part.timing, 'typical');
  assert.deepEqual([...part.revision], [0x00, 0x00, 0x60, 0x03]);
  assert.throws(
    () => part.counter(2 as never),
    (e: unknown) => isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
  assert.throws(
    () => part.readSlot(16),
    (e: unknown) => isLabError(e, 'ERR_SE_SLOT_INVALID'),
  );
  assert.throws(
    () => part.publicKey(-1),
    (e: unknown) => isLabError(e, 'ERR_SE_SLOT_INVALID'),
  );
});

test('slotMap of a TNGTLS part: decoded words, locks, what each slot allows', () => {
  const part = Atecc608b.create();
  const map = part.slotMap();
  assert.equal(map.length, 16);
  assert.deepEqual(
    map.filter((s) => s.readable).map((s) => s.slot),
    [5, 8, 10, 11, 12],
  );
  const s0 = map[0]!;
  assert.equal(s0.slotConfig.raw, 0x0085);
  assert.equal(s0.keyConfig.raw, 0x0053);
  assert.equal(s0.read.allowed, false);
  assert.equal(s0.externalSign.allowed, true);
  assert.equal(s0.genKey.allowed, false);
  assert.equal(s0.publicKey.allowed, true);
  const s8 = map[8]!;
  assert.deepEqual(
    [s8.size, s8.readable, s8.write.allowed, s8.lockable, s8.locked],
    [416, true, true, true, false],
  );
  assert.deepEqual(part.locks, { config: true, data: true, slots: Array(16).fill(false) });
});

test('inspection never returns private key bytes', () => {
  const part = Atecc608b.create({ rng: new SeededRng('inspect') });
  const { eeprom } = decodeImage(part.toImage());
  const secrets = [0, 1, 2, 3, 4].map((slot) => Buffer.from(privateKeyIn(eeprom, slot)!).toString('hex'));
  const shown = [
    JSON.stringify(part.slotMap()),
    ...Array.from({ length: 16 }, (_, s) => Buffer.from(part.readSlot(s) ?? []).toString('hex')),
    ...Array.from({ length: 16 }, (_, s) => Buffer.from(part.publicKey(s) ?? []).toString('hex')),
    Buffer.from(part.configZone).toString('hex'),
  ].join('\n');
  for (const secret of secrets) assert.ok(!shown.includes(secret.slice(0, 16)));
  assert.equal(part.readSlot(0), null);
  assert.equal(part.publicKey(8), null);
  assert.equal(part.publicKey(0)!.length, 64);
});
