import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONFIG, LOCKED } from './config.js';
import * as policy from './policy.js';
import { BLANK_CONFIG, TNGTLS_CONFIG } from './profiles.js';

const slots = Array.from({ length: 16 }, (_, s) => s);
const allowed = (check: (slot: number) => policy.Decision): number[] => slots.filter((s) => check(s).allowed);

// Reference §2.4 and the per-command DS-A facts: clear read 5, 8, 10–12; clear write 6, 8, 9;
// external Sign 0, 2–4; internal Sign 1; GenKey 2–4; public key 0–4; ECDH 0, 2–4; lockable 2–4, 6, 8.
test('TNGTLS: what each slot allows, from its SlotConfig/KeyConfig bits', () => {
  const c = TNGTLS_CONFIG;
  assert.deepEqual(
    allowed((s) => policy.readData(c, s, 32)),
    [5, 8, 10, 11, 12],
  );
  assert.deepEqual(
    allowed((s) => policy.readData(c, s, 4)),
    [5, 8, 10, 11, 12],
  );
  assert.deepEqual(
    allowed((s) => policy.writeData(c, s, 32, false)),
    [6, 8, 9],
  );
  assert.deepEqual(
    allowed((s) => policy.writeData(c, s, 4, false)),
    [6, 8, 9],
  );
  assert.deepEqual(
    allowed((s) => policy.writeData(c, s, 32, true)),
    [],
  );
  assert.deepEqual(
    allowed((s) => policy.sign(c, s, true)),
    [0, 2, 3, 4],
  );
  assert.deepEqual(
    allowed((s) => policy.sign(c, s, false)),
    [1],
  );
  assert.deepEqual(
    allowed((s) => policy.genKeyCreate(c, s)),
    [2, 3, 4],
  );
  assert.deepEqual(
    allowed((s) => policy.genKeyPublic(c, s)),
    [0, 1, 2, 3, 4],
  );
  assert.deepEqual(
    allowed((s) => policy.ecdh(c, s)),
    [0, 2, 3, 4],
  );
  assert.deepEqual(
    allowed((s) => policy.lockSlot(c, s)),
    [2, 3, 4, 6, 8],
  );
  assert.ok(policy.readOtp(c).allowed);
  assert.ok(!policy.writeOtp(c, 32).allowed);
  assert.ok(!policy.writeConfig(c, 16, 4).allowed);
  assert.ok(policy.ecdhOutput(c, false).allowed && policy.ecdhOutput(c, true).allowed);
});

test('refusals name the deciding bit', () => {
  const c = TNGTLS_CONFIG;
  const reason = (d: policy.Decision): string => (d.allowed ? '' : d.reason);
  assert.match(reason(policy.readData(c, 0, 32)), /KeyConfig\.Private/);
  assert.match(reason(policy.readData(c, 6, 32)), /SlotConfig\.IsSecret/);
  assert.match(reason(policy.writeData(c, 10, 32, false)), /WriteConfig Never/);
  assert.match(reason(policy.writeData(c, 0, 32, false)), /KeyConfig\.Private/);
  assert.match(reason(policy.sign(c, 1, true)), /ReadKey bit 0/);
  assert.match(reason(policy.genKeyCreate(c, 0)), /WriteConfig bit 1/);
  assert.match(reason(policy.lockSlot(c, 0)), /Lockable/);
  assert.match(reason(policy.readData(c, 8, 32)), /^$/);
});

test('policies follow the bits, not slot numbers: edit the config and slot 8 turns secret', () => {
  const c = TNGTLS_CONFIG.slice();
  c[CONFIG.SLOT_CONFIG + 16] = 0x8f; // SlotConfig[8] = 0x0F8F: IsSecret
  assert.ok(!policy.readData(c, 8, 32).allowed);
  assert.ok(policy.writeData(c, 8, 32, false).allowed);
  c[CONFIG.SLOT_CONFIG + 17] = 0x8f; // WriteConfig Never
  assert.ok(!policy.writeData(c, 8, 32, false).allowed);
  c[CONFIG.SLOT_CONFIG + 17] = 0x4f; // WriteConfig Encrypt
  assert.match((policy.writeData(c, 8, 32, false) as { reason: string }).reason, /Encrypt/);
  c[CONFIG.SLOT_CONFIG + 16] = 0xcf; // IsSecret + EncryptRead
  assert.match((policy.readData(c, 8, 32) as { reason: string }).reason, /GenDig/);
  assert.match((policy.readData(c, 8, 4) as { reason: string }).reason, /32 bytes only/);
  c[CONFIG.SLOT_CONFIG + 16] = 0x4f; // EncryptRead without IsSecret
  assert.match((policy.readData(c, 8, 32) as { reason: string }).reason, /prohibited/);
  c[CONFIG.SLOT_LOCKED + 1] = 0xfe; // slot 8 locked
  assert.ok(!policy.lockSlot(c, 8).allowed);
  const opts = TNGTLS_CONFIG.slice();
  opts[CONFIG.CHIP_OPTIONS + 1] = 0x61; // ECDHProt = 1
  assert.ok(!policy.ecdhOutput(opts, false).allowed && policy.ecdhOutput(opts, true).allowed);
  opts[CONFIG.CHIP_OPTIONS + 1] = 0x62; // ECDHProt = 2
  assert.ok(!policy.ecdhOutput(opts, true).allowed);
  opts[CONFIG.CHIP_OPTIONS] = 0x0c; // IO protection key disabled
  opts[CONFIG.CHIP_OPTIONS + 1] = 0x60;
  assert.ok(!policy.ecdhOutput(opts, true).allowed);
});

test('blank part: nothing but config writes before the config lock; then 32-byte writes and GenKey; then policies', () => {
  const c = BLANK_CONFIG.slice();
  assert.ok(policy.writeConfig(c, 16, 4).allowed);
  assert.ok(!policy.writeConfig(c, 12, 4).allowed, 'serial');
  assert.ok(!policy.writeConfig(c, 84, 4).allowed, 'UserExtra / lock bytes');
  assert.ok(!policy.writeConfig(c, 64, 32).allowed, 'block 2 covers bytes 84–87');
  assert.ok(policy.writeConfig(c, 88, 4).allowed);
  assert.deepEqual(
    allowed((s) => policy.writeData(c, s, 32, false)),
    [],
  );
  assert.deepEqual(
    allowed((s) => policy.genKeyCreate(c, s)),
    [],
  );
  assert.deepEqual(
    allowed((s) => policy.readData(c, s, 32)),
    [],
  );
  c[CONFIG.LOCK_CONFIG] = LOCKED;
  assert.ok(!policy.writeConfig(c, 16, 4).allowed);
  assert.deepEqual(
    allowed((s) => policy.writeData(c, s, 32, false)),
    [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  );
  assert.deepEqual(
    allowed((s) => policy.writeData(c, s, 4, false)),
    [],
    'only 32-byte writes before the data lock',
  );
  assert.deepEqual(
    allowed((s) => policy.genKeyCreate(c, s)),
    [0, 1, 2],
  );
  assert.ok(policy.writeOtp(c, 32).allowed && !policy.writeOtp(c, 4).allowed);
  assert.ok(!policy.readOtp(c).allowed);
  c[CONFIG.LOCK_VALUE] = LOCKED;
  assert.deepEqual(
    allowed((s) => policy.readData(c, s, 32)),
    [8, 9, 10, 11, 12, 13, 14],
  );
  assert.deepEqual(
    allowed((s) => policy.writeData(c, s, 32, false)),
    [8, 9, 10, 11, 12, 13, 14],
  );
  assert.deepEqual(
    allowed((s) => policy.genKeyCreate(c, s)),
    [0, 1, 2],
  );
  assert.deepEqual(
    allowed((s) => policy.sign(c, s, true)),
    [0, 1, 2],
  );
  assert.deepEqual(
    allowed((s) => policy.sign(c, s, false)),
    [0, 1, 2],
  );
  assert.deepEqual(
    allowed((s) => policy.ecdh(c, s)),
    [1, 2],
  );
  assert.deepEqual(
    allowed((s) => policy.lockSlot(c, s)),
    [0, 1, 2, 8, 9, 10, 11, 12, 13, 14],
  );
  assert.ok(!policy.writeOtp(c, 32).allowed && policy.readOtp(c).allowed);
});

test('key-use conditions: ReqAuth needs an authorization, PersistentDisable the latch', () => {
  const key = { reqAuth: true, authKey: 3, persistentDisable: false } as Parameters<typeof policy.keyUse>[0];
  assert.ok(!policy.keyUse(key, { authValid: false, volatileKeyPermit: false }).allowed);
  assert.ok(policy.keyUse(key, { authValid: true, volatileKeyPermit: false }).allowed);
  const latched = { reqAuth: false, authKey: 0, persistentDisable: true } as Parameters<
    typeof policy.keyUse
  >[0];
  assert.ok(!policy.keyUse(latched, { authValid: false, volatileKeyPermit: false }).allowed);
  assert.ok(policy.keyUse(latched, { authValid: false, volatileKeyPermit: true }).allowed);
});
