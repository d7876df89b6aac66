import { LabError } from '../../core/errors.js';
import { readFileChecked, writeFileAtomic } from '../../core/fs.js';
import { parseOptions, rngSchema, z } from '../../core/options.js';
import { systemRng, type Rng } from '../../core/rng.js';
import type { I2cTarget } from '../i2c/target.js';
import { REVISION } from './commands/info.js';
import {
  isConfigLocked,
  isDataLocked,
  isSlotLocked,
  keyConfigOf,
  serialNumberOf,
  slotConfigOf,
  type KeyConfig,
  type SlotConfig,
} from './config.js';
import { Device, type DeviceState } from './device.js';
import { decodeImage, encodeImage } from './image.js';
import { privateKeyIn } from './keys.js';
import { publicKeyOf } from './p256.js';
import * as policy from './policy.js';
import { manufacture, PROFILES, type ProfileName } from './profiles.js';
import { TIMING_MODES, type TimingMode } from './timing.js';
import { assertSlot, SLOT_COUNT, slotSize, type Eeprom } from './zones.js';

const bytesSchema = z.instanceof(Uint8Array);
const common = {
  rng: rngSchema.optional(),
  /** 9 bytes, or 18 hex digits; SN[0:1] must be 01 23. */
  serial: z.union([bytesSchema, z.string().regex(/^[0-9a-fA-F]{18}$/, 'expected 18 hex digits')]).optional(),
  timing: z.enum(TIMING_MODES as [TimingMode, ...TimingMode[]]).default('typical'),
  /** 7-bit address written to config byte 16 (default 0x35 for tngtls, 0x60 for blank). */
  i2cAddress: z.number().int().min(0x08).max(0x77).optional(),
};
const createSchema = z.discriminatedUnion('profile', [
  z.strictObject({
    profile: z.literal('tngtls'),
    ...common,
    certificates: z
      .strictObject({
        device: bytesSchema.optional(),
        signerPublicKey: bytesSchema.optional(),
        signer: bytesSchema.optional(),
      })
      .optional(),
  }),
  z.strictObject({ profile: z.literal('blank'), ...common }),
]);
const runtimeSchema = z.strictObject({ rng: rngSchema.optional(), timing: common.timing });

export interface CreateOptions {
  /** 'tngtls' (default): a locked Trust&GO part with its factory keys; 'blank': an unlocked part. */
  readonly profile?: ProfileName;
  /** Randomness for the serial, the keys and every command; a seeded Rng gives a reproducible part. */
  readonly rng?: Rng;
  readonly serial?: Uint8Array | string;
  readonly timing?: TimingMode;
  readonly i2cAddress?: number;
  /** tngtls only: contents of slots 10 (device), 11 (signer public key), 12 (signer), ≤ 72 bytes each. */
  readonly certificates?: {
    readonly device?: Uint8Array;
    readonly signerPublicKey?: Uint8Array;
    readonly signer?: Uint8Array;
  };
}

export interface LoadOptions {
  readonly rng?: Rng;
  readonly timing?: TimingMode;
}

export interface LockState {
  readonly config: boolean;
  readonly data: boolean;
  /** Per slot: SlotLocked bit cleared. */
  readonly slots: readonly boolean[];
}

/** What the configuration lets anyone do with a slot, evaluated now (locks included). */
export interface SlotInfo {
  readonly slot: number;
  readonly size: number;
  readonly slotConfig: SlotConfig;
  readonly keyConfig: KeyConfig;
  readonly locked: boolean;
  readonly lockable: boolean;
  /** Content readable in clear text with Read. */
  readonly readable: boolean;
  readonly read: policy.Decision;
  readonly write: policy.Decision;
  readonly externalSign: policy.Decision;
  readonly internalSign: policy.Decision;
  readonly ecdh: policy.Decision;
  readonly genKey: policy.Decision;
  readonly publicKey: policy.Decision;
}

/**
 * An emulated ATECC608B. It is an I2C target (write/read/sdaLow) speaking the real command
 * protocol; everything else here is read-only inspection for tools, which follows the same
 * policy as the wire and never returns private key bytes.
 */
export class Atecc608b implements I2cTarget {
  readonly profile: ProfileName;
  readonly #device: Device;

  private constructor(profile: ProfileName, eeprom: Eeprom, rng: Rng, timing: TimingMode) {
    this.profile = profile;
    this.#device = new Device(eeprom, { rng, timing });
  }

  /** Manufacture a new part. Two parts made with the default randomness never share keys or serial. */
  static create(options: CreateOptions = {}): Atecc608b {
    const profile = options.profile ?? 'tngtls';
    if (!PROFILES.includes(profile))
      throw new LabError('ERR_SE_PROFILE_UNKNOWN', `unknown secure-element profile ${String(profile)}`, {
        details: { profile },
      });
    const o = parseOptions(createSchema, { ...options, profile }, 'Atecc608b.create');
    const rng = o.rng ?? systemRng;
    const serial = typeof o.serial === 'string' ? Uint8Array.from(Buffer.from(o.serial, 'hex')) : o.serial;
    const eeprom = manufacture(o.profile, {
      rng,
      serial,
      i2cAddress: o.i2cAddress,
      certificates: o.profile === 'tngtls' ? o.certificates : undefined,
    });
    return new Atecc608b(o.profile, eeprom, rng, o.timing);
  }

  /** A part from its image (see image.ts); ERR_SE_IMAGE_MALFORMED when it does not check out. */
  static fromImage(image: Uint8Array, options: LoadOptions = {}): Atecc608b {
    const o = parseOptions(runtimeSchema, options, 'Atecc608b.fromImage');
    const { profile, eeprom } = decodeImage(image);
    return new Atecc608b(profile, eeprom, o.rng ?? systemRng, o.timing);
  }

  static load(path: string, options: LoadOptions = {}): Atecc608b {
    return Atecc608b.fromImage(readFileChecked(path), options);
  }

  toImage(): Uint8Array {
    return encodeImage({ profile: this.profile, eeprom: this.#device.eeprom });
  }

  /** Write the image atomically, mode 0600 (it holds the private keys). */
  save(path: string, options: { readonly overwrite?: boolean } = {}): void {
    writeFileAtomic(path, this.toImage(), { mode: 0o600, overwrite: options.overwrite ?? false });
  }

  write(data: Uint8Array, nowUs: number): boolean {
    return this.#device.write(data, nowUs);
  }

  read(length: number, nowUs: number): Uint8Array | null {
    return this.#device.read(length, nowUs);
  }

  sdaLow(durationUs: number, nowUs: number): void {
    this.#device.sdaLow(durationUs, nowUs);
  }

  /** The 7-bit address the part currently answers to (0x35 for TNGTLS). */
  get i2cAddress(): number {
    return this.#device.i2cAddress;
  }

  get timing(): TimingMode {
    return this.#device.timing;
  }

  set timing(mode: TimingMode) {
    if (!TIMING_MODES.includes(mode))
      throw new LabError('ERR_OPTIONS_INVALID', `timing must be one of ${TIMING_MODES.join(', ')}`, {
        details: { option: 'timing' },
      });
    this.#device.timing = mode;
  }

  state(nowUs: number): DeviceState {
    return this.#device.state(nowUs);
  }

  /** Power removed and restored: volatile state lost, the part asleep. */
  powerCycle(): void {
    this.#device.powerCycle();
  }

  /** SN[0:8], 9 bytes. */
  get serialNumber(): Uint8Array {
    return serialNumberOf(this.#device.eeprom.config);
  }

  /** What Info mode 0 answers. */
  get revision(): Uint8Array {
    return REVISION.slice();
  }

  /** A copy of the 128-byte configuration zone (always readable on the part too). */
  get configZone(): Uint8Array {
    return this.#device.eeprom.config.slice();
  }

  get locks(): LockState {
    const config = this.#device.eeprom.config;
    return {
      config: isConfigLocked(config),
      data: isDataLocked(config),
      slots: Array.from({ length: SLOT_COUNT }, (_, slot) => isSlotLocked(config, slot)),
    };
  }

  counter(id: 0 | 1): number {
    if (id !== 0 && id !== 1)
      throw new LabError('ERR_OPTIONS_INVALID', 'counter id is 0 or 1', { details: { option: 'id' } });
    return this.#device.eeprom.counters[id];
  }

  slotMap(): readonly SlotInfo[] {
    const config = this.#device.eeprom.config;
    return Array.from({ length: SLOT_COUNT }, (_, slot) => {
      const read = policy.readData(config, slot, 32);
      return {
        slot,
        size: slotSize(slot),
        slotConfig: slotConfigOf(config, slot),
        keyConfig: keyConfigOf(config, slot),
        locked: isSlotLocked(config, slot),
        lockable: keyConfigOf(config, slot).lockable,
        readable: read.allowed,
        read,
        write: policy.writeData(config, slot, 32, false),
        externalSign: policy.sign(config, slot, true),
        internalSign: policy.sign(config, slot, false),
        ecdh: policy.ecdh(config, slot),
        genKey: policy.genKeyCreate(config, slot),
        publicKey: policy.genKeyPublic(config, slot),
      };
    });
  }

  /** The slot's bytes when the policy lets anyone Read them in clear text; null otherwise. */
  readSlot(slot: number): Uint8Array | null {
    assertSlot(slot);
    const eeprom = this.#device.eeprom;
    return policy.readData(eeprom.config, slot, 32).allowed ? eeprom.slot(slot).slice() : null;
  }

  /** X‖Y of the slot's private key when GenKey may compute it (KeyConfig.PubInfo); null otherwise. */
  publicKey(slot: number): Uint8Array | null {
    assertSlot(slot);
    const eeprom = this.#device.eeprom;
    if (!policy.genKeyPublic(eeprom.config, slot).allowed) return null;
    const d = privateKeyIn(eeprom, slot);
    return d ? publicKeyOf(d) : null;
  }
}
