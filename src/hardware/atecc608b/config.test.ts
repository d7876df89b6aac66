import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chipModeOf,
  chipOptionsOf,
  decodeKeyConfig,
  decodeSlotConfig,
  i2cAddressOf,
  isConfigLocked,
  isDataLocked,
  isSlotLocked,
  keyConfigOf,
  serialNumberOf,
  slotConfigOf,
} from './config.js';
import { BLANK_CONFIG, TNGTLS_CONFIG } from './profiles.js';

test('TNGTLS SlotConfig/KeyConfig words are those of reference §2.4', () => {
  const slotConfigs = [
    0x0085, 0x0082, 0x2085, 0x2085, 0x2085, 0x8f0f, 0x0f8f, 0x8f8f, 0x0f0f, 0x0f8f, 0x8f0f, 0x8f0f, 0x8f0f,
    0x8f8f, 0x8f8f, 0x8f8f,
  ];
  const keyConfigs = [
    0x0053, 0x0053, 0x0073, 0x0073, 0x0073, 0x001c, 0x007c, 0x001c, 0x003c, 0x001a, 0x001c, 0x0010, 0x001c,
    0x001c, 0x001c, 0x001c,
  ];
  for (let slot = 0; slot < 16; slot++) {
    assert.equal(slotConfigOf(TNGTLS_CONFIG, slot).raw, slotConfigs[slot], `SlotConfig[${slot}]`);
    assert.equal(keyConfigOf(TNGTLS_CONFIG, slot).raw, keyConfigs[slot], `KeyConfig[${slot}]`);
  }
});

test('slot 0 decodes as a permanent ext-sign + ECDH P-256 key; slot 8 as clear data', () => {
  const s0 = decodeSlotConfig(0x0085);
  assert.deepEqual(
    [
      s0.isSecret,
      s0.encryptRead,
      s0.externalSign,
      s0.internalSign,
      s0.ecdh,
      s0.ecdhToSlot,
      s0.writeMode,
      s0.genKey,
      s0.privWrite,
    ],
    [true, false, true, false, true, false, 'always', false, false],
  );
  const k0 = decodeKeyConfig(0x0053);
  assert.deepEqual(
    [k0.private, k0.pubInfo, k0.keyTypeName, k0.lockable, k0.reqRandom, k0.reqAuth],
    [true, true, 'P256', false, true, false],
  );
  const s8 = decodeSlotConfig(0x0f0f);
  assert.deepEqual(
    [s8.isSecret, s8.encryptRead, s8.writeMode, s8.writeKey, s8.readKey],
    [false, false, 'always', 15, 15],
  );
  const k8 = decodeKeyConfig(0x003c);
  assert.deepEqual([k8.private, k8.keyTypeName, k8.lockable], [false, 'SHA', true]);
  assert.equal(decodeSlotConfig(0x2085).genKey, true);
  assert.equal(decodeSlotConfig(0x8f0f).writeMode, 'never');
  assert.equal(decodeKeyConfig(0x001a).keyTypeName, 'AES');
  assert.equal(decodeKeyConfig(0x0010).keyTypeName, 'P256');
});

test('WriteConfig: 0000 Always, 0001 PubInvalid, 001x / 10xx Never, x1xx Encrypt', () => {
  const mode = (n: number): string => decodeSlotConfig(n << 12).writeMode;
  assert.deepEqual(
    Array.from({ length: 16 }, (_, n) => mode(n)),
    [
      'always',
      'pubInvalid',
      'never',
      'never',
      'encrypt',
      'encrypt',
      'encrypt',
      'encrypt',
      'never',
      'never',
      'never',
      'never',
      'encrypt',
      'encrypt',
      'encrypt',
      'encrypt',
    ],
  );
});

test('ChipOptions 0x600E, ChipMode 0x01, address 0x35, locks', () => {
  const o = chipOptionsOf(TNGTLS_CONFIG);
  assert.deepEqual(
    [
      o.raw,
      o.ioProtectionKeyEnable,
      o.kdfAesEnable,
      o.ecdhProtection,
      o.kdfProtection,
      o.ioProtectionKeySlot,
    ],
    [0x600e, true, true, 0, 0, 6],
  );
  const m = chipModeOf(TNGTLS_CONFIG);
  assert.deepEqual(
    [m.userExtraAddIsAddress, m.ttlEnable, m.longWatchdog, m.clockDivider],
    [true, false, false, 0],
  );
  assert.equal(i2cAddressOf(TNGTLS_CONFIG), 0x35);
  assert.equal(i2cAddressOf(BLANK_CONFIG), 0x60);
  const moved = TNGTLS_CONFIG.slice();
  moved[85] = 0x6c;
  assert.equal(i2cAddressOf(moved), 0x36, 'UserExtraAdd replaces the address when ChipMode bit 0 is set');
  moved[19] = 0x00;
  assert.equal(i2cAddressOf(moved), 0x35);
  assert.ok(isConfigLocked(TNGTLS_CONFIG) && isDataLocked(TNGTLS_CONFIG));
  assert.ok(!isConfigLocked(BLANK_CONFIG) && !isDataLocked(BLANK_CONFIG));
  for (let slot = 0; slot < 16; slot++) assert.equal(isSlotLocked(TNGTLS_CONFIG, slot), false);
  assert.deepEqual(
    [...serialNumberOf(TNGTLS_CONFIG)],
    [0x01, 0x23, 0x3f, 0xce, 0x99, 0x12, 0x44, 0x0f, 0x01],
  );
});
