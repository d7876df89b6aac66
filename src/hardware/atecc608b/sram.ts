import type { Hash } from 'node:crypto';

/**
 * TempKey: the 32/64-byte SRAM register most commands read or write, with the flags the
 * datasheet attaches to it (CryptoAuthLib `atca_temp_key_t`).
 */
export interface TempKey {
  readonly value: Uint8Array;
  valid: boolean;
  is64: boolean;
  /** 'random' after a random Nonce, 'input' after a pass-through Nonce. */
  sourceFlag: 'random' | 'input';
  /** Set by GenDig / GenKey; those commands are not emulated, so they stay false. */
  genDigData: boolean;
  genKeyData: boolean;
  keyId: number;
  noMacFlag: boolean;
}

export interface Buffer64 {
  readonly value: Uint8Array;
  valid: boolean;
}

/**
 * The volatile state of the part. Idle keeps it; Sleep (word address 0x01, the watchdog, a
 * power cycle) clears it (reference §1.1, §3.2). The SHA context is kept over Idle too, which
 * the SparkFun library's `sha256()` relies on (reference §4).
 */
export class Sram {
  readonly tempKey: TempKey = {
    value: new Uint8Array(64),
    valid: false,
    is64: false,
    sourceFlag: 'random',
    genDigData: false,
    genKeyData: false,
    keyId: 0,
    noMacFlag: false,
  };
  /** Message Digest Buffer (64 B). */
  readonly msgDigBuf: Buffer64 = { value: new Uint8Array(64), valid: false };
  /** Alternate Key Buffer (32 B). */
  readonly altKeyBuf: Buffer64 = { value: new Uint8Array(32), valid: false };
  sha: Hash | null = null;
  /** Set by CheckMac for keys with KeyConfig.ReqAuth; CheckMac is not emulated, so it stays false. */
  authValid = false;
  /** The persistent latch of Info mode 4 (gates KeyConfig.PersistentDisable keys). */
  volatileKeyPermit = false;

  /** Put a value in TempKey and mark it valid, as Nonce, SHA and ECDH do. */
  loadTempKey(value: Uint8Array, source: 'random' | 'input', keyId = 0): void {
    const t = this.tempKey;
    t.value.fill(0);
    t.value.set(value);
    t.valid = true;
    t.is64 = value.length === 64;
    t.sourceFlag = source;
    t.genDigData = t.genKeyData = t.noMacFlag = false;
    t.keyId = keyId;
  }

  /** Put a value in the Message Digest Buffer. */
  loadMsgDigBuf(value: Uint8Array): void {
    this.msgDigBuf.value.fill(0);
    this.msgDigBuf.value.set(value);
    this.msgDigBuf.valid = true;
  }

  clear(): void {
    const t = this.tempKey;
    t.value.fill(0);
    t.valid = t.is64 = t.genDigData = t.genKeyData = t.noMacFlag = false;
    t.sourceFlag = 'random';
    t.keyId = 0;
    this.msgDigBuf.value.fill(0);
    this.msgDigBuf.valid = false;
    this.altKeyBuf.value.fill(0);
    this.altKeyBuf.valid = false;
    this.sha = null;
    this.authValid = false;
    this.volatileKeyPermit = false;
  }
}
