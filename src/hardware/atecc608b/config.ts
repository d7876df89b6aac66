/** Byte offsets of the ATECC608 configuration zone (CryptoAuthLib `atecc608_config_t`, reference §1.2). */
export const CONFIG = {
  SN_0_3: 0,
  REVNUM: 4,
  SN_4_8: 8,
  AES_ENABLE: 13,
  I2C_ENABLE: 14,
  I2C_ADDRESS: 16,
  COUNT_MATCH: 18,
  CHIP_MODE: 19,
  SLOT_CONFIG: 20,
  COUNTER_0: 52,
  COUNTER_1: 60,
  USE_LOCK: 68,
  VOLATILE_KEY_PERMISSION: 69,
  SECURE_BOOT: 70,
  USER_EXTRA: 84,
  USER_EXTRA_ADD: 85,
  LOCK_VALUE: 86,
  LOCK_CONFIG: 87,
  SLOT_LOCKED: 88,
  CHIP_OPTIONS: 90,
  X509_FORMAT: 92,
  KEY_CONFIG: 96,
} as const;

/** LockConfig / LockValue values (CryptoAuthLib ATCA_UNLOCKED / ATCA_LOCKED). */
export const UNLOCKED = 0x55;
export const LOCKED = 0x00;

/** KeyConfig.KeyType values (CryptoAuthLib ATCA_*_KEY_TYPE). */
export const KEY_TYPE = { P256: 4, AES: 6, SHA: 7 } as const;

/** How the Write command treats a slot, from SlotConfig.WriteConfig (reference §2.1). */
export type WriteMode = 'always' | 'pubInvalid' | 'never' | 'encrypt';

export interface SlotConfig {
  readonly raw: number;
  /** Bits 3:0. For data slots: the key that encrypts reads. For ECC private keys: the use flags below. */
  readonly readKey: number;
  /** ReadKey bit 0 on an ECC private key: Sign of an external message allowed. */
  readonly externalSign: boolean;
  /** ReadKey bit 1: Sign of an internally generated message allowed. */
  readonly internalSign: boolean;
  /** ReadKey bit 2: ECDH allowed. */
  readonly ecdh: boolean;
  /** ReadKey bit 3: ECDH result goes to slot n|1 instead of the output. */
  readonly ecdhToSlot: boolean;
  readonly noMac: boolean;
  readonly limitedUse: boolean;
  readonly encryptRead: boolean;
  readonly isSecret: boolean;
  readonly writeKey: number;
  readonly writeConfig: number;
  readonly writeMode: WriteMode;
  /** WriteConfig bit 1 on an ECC private key: GenKey may create a new key. */
  readonly genKey: boolean;
  /** WriteConfig bit 2 on an ECC private key: PrivWrite (encrypted) allowed. */
  readonly privWrite: boolean;
}

export function decodeSlotConfig(raw: number): SlotConfig {
  const readKey = raw & 0x0f;
  const writeConfig = (raw >> 12) & 0x0f;
  return {
    raw,
    readKey,
    externalSign: (readKey & 0x1) !== 0,
    internalSign: (readKey & 0x2) !== 0,
    ecdh: (readKey & 0x4) !== 0,
    ecdhToSlot: (readKey & 0x8) !== 0,
    noMac: (raw & 0x10) !== 0,
    limitedUse: (raw & 0x20) !== 0,
    encryptRead: (raw & 0x40) !== 0,
    isSecret: (raw & 0x80) !== 0,
    writeKey: (raw >> 8) & 0x0f,
    writeConfig,
    writeMode: writeModeOf(writeConfig),
    genKey: (writeConfig & 0x2) !== 0,
    privWrite: (writeConfig & 0x4) !== 0,
  };
}

/** `0000` Always · `0001` PubInvalid · `001x`, `10xx` Never · `x1xx` Encrypt (reference §2.1). */
function writeModeOf(writeConfig: number): WriteMode {
  if (writeConfig & 0x4) return 'encrypt';
  if (writeConfig === 0) return 'always';
  if (writeConfig === 1) return 'pubInvalid';
  return 'never';
}

export interface KeyConfig {
  readonly raw: number;
  readonly private: boolean;
  readonly pubInfo: boolean;
  readonly keyType: number;
  readonly keyTypeName: 'P256' | 'AES' | 'SHA' | 'other';
  readonly lockable: boolean;
  readonly reqRandom: boolean;
  readonly reqAuth: boolean;
  readonly authKey: number;
  readonly persistentDisable: boolean;
  readonly x509Id: number;
}

export function decodeKeyConfig(raw: number): KeyConfig {
  const keyType = (raw >> 2) & 0x07;
  return {
    raw,
    private: (raw & 0x0001) !== 0,
    pubInfo: (raw & 0x0002) !== 0,
    keyType,
    keyTypeName:
      keyType === KEY_TYPE.P256
        ? 'P256'
        : keyType === KEY_TYPE.AES
          ? 'AES'
          : keyType === KEY_TYPE.SHA
            ? 'SHA'
            : 'other',
    lockable: (raw & 0x0020) !== 0,
    reqRandom: (raw & 0x0040) !== 0,
    reqAuth: (raw & 0x0080) !== 0,
    authKey: (raw >> 8) & 0x0f,
    persistentDisable: (raw & 0x1000) !== 0,
    x509Id: (raw >> 14) & 0x03,
  };
}

export interface ChipOptions {
  readonly raw: number;
  readonly powerOnSelfTest: boolean;
  readonly ioProtectionKeyEnable: boolean;
  readonly kdfAesEnable: boolean;
  /** 0 clear output allowed, 1 output must be encrypted, 2 result only to a slot or TempKey. */
  readonly ecdhProtection: number;
  readonly kdfProtection: number;
  readonly ioProtectionKeySlot: number;
}

/** ChipOptions, bytes 90–91 (CryptoAuthLib calib_device.h, reference §2.3). */
export function chipOptionsOf(config: Uint8Array): ChipOptions {
  const raw = u16(config, CONFIG.CHIP_OPTIONS);
  return {
    raw,
    powerOnSelfTest: (raw & 0x0001) !== 0,
    ioProtectionKeyEnable: (raw & 0x0002) !== 0,
    kdfAesEnable: (raw & 0x0004) !== 0,
    ecdhProtection: (raw >> 8) & 0x03,
    kdfProtection: (raw >> 10) & 0x03,
    ioProtectionKeySlot: (raw >> 12) & 0x0f,
  };
}

export interface ChipMode {
  readonly raw: number;
  /** Bit 0: UserExtraAdd (byte 85), when non-zero, replaces the I2C address. */
  readonly userExtraAddIsAddress: boolean;
  readonly ttlEnable: boolean;
  /** Bit 2: ~13 s watchdog instead of ~1.3 s (CryptoAuthLib ATCA_CHIPMODE_WATCHDOG_LONG). */
  readonly longWatchdog: boolean;
  readonly clockDivider: number;
}

export function chipModeOf(config: Uint8Array): ChipMode {
  const raw = config[CONFIG.CHIP_MODE]!;
  return {
    raw,
    userExtraAddIsAddress: (raw & 0x01) !== 0,
    ttlEnable: (raw & 0x02) !== 0,
    longWatchdog: (raw & 0x04) !== 0,
    clockDivider: raw >> 3,
  };
}

export function slotConfigOf(config: Uint8Array, slot: number): SlotConfig {
  return decodeSlotConfig(u16(config, CONFIG.SLOT_CONFIG + 2 * slot));
}

export function keyConfigOf(config: Uint8Array, slot: number): KeyConfig {
  return decodeKeyConfig(u16(config, CONFIG.KEY_CONFIG + 2 * slot));
}

/**
 * Only 0x55 means unlocked. The Lock command writes 0x00 (CryptoAuthLib `calib_is_locked`
 * tests for 0x00); any other value is treated as locked so a damaged byte fails closed.
 */
export function isConfigLocked(config: Uint8Array): boolean {
  return config[CONFIG.LOCK_CONFIG] !== UNLOCKED;
}

export function isDataLocked(config: Uint8Array): boolean {
  return config[CONFIG.LOCK_VALUE] !== UNLOCKED;
}

/** SlotLocked bit n = 0 means slot n is locked (CryptoAuthLib `calib_is_slot_locked`). */
export function isSlotLocked(config: Uint8Array, slot: number): boolean {
  return ((u16(config, CONFIG.SLOT_LOCKED) >> slot) & 1) === 0;
}

/** I2C_Enable bit 0: 1 = I2C, 0 = single-wire interface. */
export function isI2cEnabled(config: Uint8Array): boolean {
  return (config[CONFIG.I2C_ENABLE]! & 0x01) === 1;
}

/**
 * The 7-bit I2C address: bits 7:1 of I2C_Address (byte 16), replaced by UserExtraAdd (byte 85)
 * when ChipMode bit 0 is set and that byte is non-zero (reference §1.2, §3.1).
 */
export function i2cAddressOf(config: Uint8Array): number {
  const extra = config[CONFIG.USER_EXTRA_ADD]!;
  if (chipModeOf(config).userExtraAddIsAddress && extra !== 0) return extra >> 1;
  return config[CONFIG.I2C_ADDRESS]! >> 1;
}

/** SN[0:8]: config bytes 0–3 then 8–12. */
export function serialNumberOf(config: Uint8Array): Uint8Array {
  const sn = new Uint8Array(9);
  sn.set(config.subarray(CONFIG.SN_0_3, CONFIG.SN_0_3 + 4), 0);
  sn.set(config.subarray(CONFIG.SN_4_8, CONFIG.SN_4_8 + 5), 4);
  return sn;
}

export function u16(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8);
}
