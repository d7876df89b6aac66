import {
  CONFIG,
  chipOptionsOf,
  isConfigLocked,
  isDataLocked,
  isSlotLocked,
  KEY_TYPE,
  keyConfigOf,
  slotConfigOf,
  type KeyConfig,
} from './config.js';

/**
 * Access decisions, each evaluated from the configuration zone bytes (SlotConfig, KeyConfig,
 * ChipOptions, the lock bytes) — never from a list of slot numbers — so the TNGTLS image, a
 * blank part, or whatever a lab writes into a blank part's config drives the behaviour.
 * A refusal is an execution error (0x0F) on the wire; `reason` names the bit that decided.
 */
export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

const ALLOW: Decision = Object.freeze({ allowed: true });
const deny = (reason: string): Decision => ({ allowed: false, reason });

/** Read of a data slot, clear text. */
export function readData(config: Uint8Array, slot: number, size: 4 | 32): Decision {
  // ATECC608B: LockValue — slots cannot be read before the data zone is locked.
  if (!isDataLocked(config)) return deny('LockValue: the data zone is not locked, slots cannot be read');
  const key = keyConfigOf(config, slot);
  const sc = slotConfigOf(config, slot);
  // ATECC608B: KeyConfig.Private — ECC private keys are never readable.
  if (key.private) return deny('KeyConfig.Private: an ECC private key is never readable');
  // ATECC608B: SlotConfig.IsSecret / SlotConfig.EncryptRead
  if (!sc.isSecret && !sc.encryptRead) return ALLOW;
  if (!sc.isSecret) return deny('SlotConfig.EncryptRead without IsSecret: prohibited combination');
  if (!sc.encryptRead) return deny('SlotConfig.IsSecret: the slot is never readable');
  if (size === 4) return deny('SlotConfig.EncryptRead: encrypted reads are 32 bytes only');
  return deny(
    `SlotConfig.EncryptRead: reads need a TempKey made by GenDig with ReadKey slot ${sc.readKey} (GenDig is not emulated)`,
  );
}

/** Read of the OTP zone. */
export function readOtp(config: Uint8Array): Decision {
  // ATECC608B: LockValue — OTP cannot be read before the data zone is locked.
  return isDataLocked(config) ? ALLOW : deny('LockValue: the data zone is not locked, OTP cannot be read');
}

/** Write to bytes [offset, offset + length) of the config zone. */
export function writeConfig(config: Uint8Array, offset: number, length: number): Decision {
  // ATECC608B: LockConfig — the config zone is frozen once locked.
  if (isConfigLocked(config)) return deny('LockConfig: the config zone is locked');
  // SN, RevNum, AES_Enable, I2C_Enable (bytes 0–15) are factory-programmed.
  if (offset < 16) return deny('bytes 0–15 (serial number, revision) are not writable');
  // UserExtra, UserExtraAdd, LockValue, LockConfig change only through UpdateExtra and Lock
  // (CryptoAuthLib calib_write_bytes_zone skips this word for that reason).
  if (offset < CONFIG.SLOT_LOCKED && offset + length > CONFIG.USER_EXTRA)
    return deny('bytes 84–87 change only through UpdateExtra and Lock');
  return ALLOW;
}

/** Clear-text write to the OTP zone. */
export function writeOtp(config: Uint8Array, size: 4 | 32): Decision {
  // ATECC608B: LockConfig — data and OTP zones are written only after the config is locked.
  if (!isConfigLocked(config)) return deny('LockConfig: the config zone must be locked first');
  // ATECC608B: LockValue — the 608 has no OTP consumption mode: OTP is read-only after the lock.
  if (isDataLocked(config)) return deny('LockValue: OTP is read-only once the data zone is locked');
  if (size === 4) return deny('LockValue: only 32-byte writes before the data zone is locked');
  return ALLOW;
}

/** Write to a data slot; `encrypted` is Write param1 bit 6 (data encrypted, MAC appended). */
export function writeData(config: Uint8Array, slot: number, size: 4 | 32, encrypted: boolean): Decision {
  if (!isConfigLocked(config)) return deny('LockConfig: the config zone must be locked first');
  // ATECC608B: KeyConfig.Private — Write never targets a private key (PrivWrite/GenKey do).
  if (keyConfigOf(config, slot).private)
    return deny('KeyConfig.Private: Write cannot target an ECC private key');
  // ATECC608B: SlotLocked — a slot-locked slot is read-only whatever its WriteConfig.
  if (isSlotLocked(config, slot)) return deny(`SlotLocked bit ${slot}: the slot is locked`);
  if (!isDataLocked(config)) {
    // ATECC608B: LockValue — before the data lock any slot takes 32-byte clear writes.
    if (size === 4) return deny('LockValue: only 32-byte writes before the data zone is locked');
    if (encrypted) return deny('LockValue: encrypted writes need the data zone locked');
    return ALLOW;
  }
  const sc = slotConfigOf(config, slot);
  // ATECC608B: SlotConfig.WriteConfig
  switch (sc.writeMode) {
    case 'always':
      return encrypted ? deny('SlotConfig.WriteConfig Always: writes are clear text') : ALLOW;
    case 'pubInvalid':
      // Clear writes only while the stored public key is invalidated; key validation
      // (Verify validate/invalidate) is not emulated, so a validated-type key stays valid.
      if (keyConfigOf(config, slot).pubInfo)
        return deny('SlotConfig.WriteConfig PubInvalid: the key is valid');
      return encrypted ? deny('SlotConfig.WriteConfig PubInvalid: writes are clear text') : ALLOW;
    case 'never':
      return deny('SlotConfig.WriteConfig Never: the slot cannot be written');
    case 'encrypt':
      if (!encrypted) return deny('SlotConfig.WriteConfig Encrypt: clear writes refused');
      return deny(
        `SlotConfig.WriteConfig Encrypt: needs a TempKey made by GenDig with WriteKey slot ${sc.writeKey} (GenDig is not emulated)`,
      );
  }
}

function eccPrivateKey(config: Uint8Array, slot: number, what: string): Decision | null {
  // ATECC608B: LockConfig — key policies only exist once the config is locked.
  if (!isConfigLocked(config)) return deny('LockConfig: the config zone must be locked first');
  const key = keyConfigOf(config, slot);
  // ATECC608B: KeyConfig.Private / KeyConfig.KeyType
  if (!key.private) return deny(`KeyConfig.Private: slot ${slot} holds no private key to ${what}`);
  if (key.keyType !== KEY_TYPE.P256) return deny(`KeyConfig.KeyType ${key.keyType}: not a P-256 key`);
  return null;
}

/** GenKey mode 0x04: generate a new private key into the slot. */
export function genKeyCreate(config: Uint8Array, slot: number): Decision {
  const base = eccPrivateKey(config, slot, 'replace');
  if (base) return base;
  // ATECC608B: SlotLocked
  if (isSlotLocked(config, slot)) return deny(`SlotLocked bit ${slot}: the slot is locked`);
  // Before the data lock GenKey may fill any private-key slot (CryptoAuthLib issue #49).
  if (!isDataLocked(config)) return ALLOW;
  // ATECC608B: SlotConfig.WriteConfig bit 1 — GenKey may create a new key.
  if (!slotConfigOf(config, slot).genKey)
    return deny('SlotConfig.WriteConfig bit 1 clear: GenKey may not replace the key');
  return ALLOW;
}

/** GenKey mode 0x00: compute the public key of the slot's private key. */
export function genKeyPublic(config: Uint8Array, slot: number): Decision {
  const base = eccPrivateKey(config, slot, 'derive a public key from');
  if (base) return base;
  // ATECC608B: KeyConfig.PubInfo — the public key may be generated only when set.
  if (!keyConfigOf(config, slot).pubInfo)
    return deny('KeyConfig.PubInfo clear: the public key may not be generated');
  return ALLOW;
}

/** Sign with the slot's key; `external` = a message the host loaded (mode bit 7). */
export function sign(config: Uint8Array, slot: number, external: boolean): Decision {
  const base = eccPrivateKey(config, slot, 'sign with');
  if (base) return base;
  const sc = slotConfigOf(config, slot);
  // ATECC608B: SlotConfig.ReadKey bit 0 (external messages) / bit 1 (internal messages)
  if (external && !sc.externalSign) return deny('SlotConfig.ReadKey bit 0 clear: no external-message Sign');
  if (!external && !sc.internalSign) return deny('SlotConfig.ReadKey bit 1 clear: no internal-message Sign');
  return ALLOW;
}

/** ECDH with the slot's key. */
export function ecdh(config: Uint8Array, slot: number): Decision {
  const base = eccPrivateKey(config, slot, 'run ECDH with');
  if (base) return base;
  // ATECC608B: SlotConfig.ReadKey bit 2 — ECDH allowed.
  if (!slotConfigOf(config, slot).ecdh) return deny('SlotConfig.ReadKey bit 2 clear: no ECDH');
  return ALLOW;
}

/** May an ECDH result leave the part (in clear, or encrypted with the IO protection key)? */
export function ecdhOutput(config: Uint8Array, encrypted: boolean): Decision {
  const options = chipOptionsOf(config);
  // ATECC608B: ChipOptions.ECDHProt — 0 clear allowed, 1 encrypted only, 2 slot/TempKey only.
  if (options.ecdhProtection >= 2) return deny('ChipOptions.ECDHProt: the result may not be output');
  if (!encrypted && options.ecdhProtection === 1)
    return deny('ChipOptions.ECDHProt: the output must be encrypted');
  // ATECC608B: ChipOptions.IOProtKeyEnable — encrypted output needs the IO protection key.
  if (encrypted && !options.ioProtectionKeyEnable)
    return deny('ChipOptions.IOProtKeyEnable clear: no IO protection key');
  return ALLOW;
}

/** The volatile conditions KeyConfig puts on using a key. */
export function keyUse(key: KeyConfig, state: { authValid: boolean; volatileKeyPermit: boolean }): Decision {
  // ATECC608B: KeyConfig.ReqAuth — the key needs a prior authorization (CheckMac).
  if (key.reqAuth && !state.authValid)
    return deny(`KeyConfig.ReqAuth: authorize with key ${key.authKey} first`);
  // ATECC608B: KeyConfig.PersistentDisable — usable only while the persistent latch is set.
  if (key.persistentDisable && !state.volatileKeyPermit)
    return deny('KeyConfig.PersistentDisable: the latch is clear');
  return ALLOW;
}

/** Lock mode 2: slot lock. */
export function lockSlot(config: Uint8Array, slot: number): Decision {
  if (!isConfigLocked(config)) return deny('LockConfig: the config zone must be locked first');
  // ATECC608B: KeyConfig.Lockable
  if (!keyConfigOf(config, slot).lockable) return deny('KeyConfig.Lockable clear: the slot cannot be locked');
  // ATECC608B: SlotLocked — Lock fails when the target is already locked.
  if (isSlotLocked(config, slot)) return deny(`SlotLocked bit ${slot}: already locked`);
  return ALLOW;
}
