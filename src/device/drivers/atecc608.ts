import { createHash } from 'node:crypto';
import { isLabError, LabError } from '../../core/errors.js';
import type { I2cBus } from '../../hardware/i2c/index.js';
import {
  CONFIG,
  encodeCommand,
  OPCODE,
  STATUS,
  WORD_ADDRESS,
  ZONE_CODE,
} from '../../hardware/atecc608b/index.js';
import {
  classifyAnswer,
  LENGTH_32,
  LONGEST_EXECUTION_MS,
  MAX_EXECUTION_MS,
  OPCODE_NAME,
  POLL_INITIAL_US,
  POLL_INTERVAL_US,
  READ_ATTEMPTS,
  READ_CHUNK,
  slotBlockAddress,
  SPARKFUN_DELAY_MS,
  WAKE_DELAY_US,
  type ZoneName,
} from './atecc608-protocol.js';

/** The Trust&GO (TNGTLS) part's address; the SparkFun library defaults to 0x60 (a blank part). */
export const ATECC_TNGTLS_ADDRESS = 0x35;

/**
 * How the driver waits for a command's answer.
 * - 'sparkfun-delays' (default): the SparkFun library's fixed delay per opcode, then 20 quick
 *   reads — what the lab's firmware does, and what fails at the part's maximum timing.
 * - 'poll': CryptoAuthLib's way — 1 ms, then a read every 2 ms until the part ACKs, given up
 *   only after the datasheet's maximum execution time of that command.
 */
export type ResponseWait = 'sparkfun-delays' | 'poll';

export interface Atecc608DriverOptions {
  readonly responseWait?: ResponseWait;
}

/** What readConfigZone() leaves in the driver, under the SparkFun library's names. */
export interface ConfigSnapshot {
  readonly configZone: Uint8Array;
  /** SN[0:3] ‖ SN[4:8], 9 bytes. */
  readonly serialNumber: Uint8Array;
  /** RevNum, config bytes 4–7. */
  readonly revisionNumber: Uint8Array;
  /** LockConfig (byte 87) == 0x00. */
  readonly configLockStatus: boolean;
  /** LockValue (byte 86) == 0x00. */
  readonly dataOTPLockStatus: boolean;
  /** SlotLocked bit 0 (byte 88) clear. */
  readonly slot0LockStatus: boolean;
  /** SlotConfig[0..15], little-endian u16 from byte 20. */
  readonly slotConfig: readonly number[];
  /** KeyConfig[0..15], little-endian u16 from byte 96. */
  readonly keyConfig: readonly number[];
}

/**
 * A host driver for the ATECC608B with the behaviour of SparkFun's ATECCX08A Arduino library,
 * the one the lab's Step 3 firmware uses (reference §4), talking only through an I2cBus:
 *
 * - every command is preceded by wakeUp() (general call, 1,500 µs, read the 4-byte group);
 * - one write of `0x03` + packet, then the library's fixed delay for that opcode;
 * - the answer is fetched in requestFrom() calls of at most 32 bytes, 20 attempts in all,
 *   continuing across reads without rewinding; then idle (`0x02`);
 * - success only when the count byte equals the bytes received and the CRC matches.
 *
 * Where the library returns `false` this driver throws a coded error instead, and where the
 * library would hide the part's status byte (an error group read as part of a longer
 * answer), the error carries it: ERR_SE_STATUS with the status, ERR_SE_COMMUNICATION for
 * count/CRC failures, ERR_SE_NO_DEVICE when nothing answers.
 */
export class Atecc608Driver {
  readonly bus: I2cBus;
  readonly address: number;
  readonly responseWait: ResponseWait;
  #config: ConfigSnapshot | undefined;
  /** The tail of the Nonce→Sign/Verify pairs queued on this driver. */
  #tempKeyUser: Promise<unknown> = Promise.resolve();
  /** Commands sent since construction, for the serial console and the tests. */
  commandsSent = 0;

  constructor(bus: I2cBus, address = ATECC_TNGTLS_ADDRESS, options: Atecc608DriverOptions = {}) {
    const wait = options.responseWait ?? 'sparkfun-delays';
    if (wait !== 'sparkfun-delays' && wait !== 'poll') {
      throw new LabError('ERR_OPTIONS_INVALID', `responseWait: expected 'sparkfun-delays' or 'poll'`, {
        details: { option: 'responseWait', value: String(wait) },
      });
    }
    this.bus = bus;
    this.address = address;
    this.responseWait = wait;
  }

  /** `begin()`: store the address and wake the part; true when it answered `04 11 33 43`. */
  async begin(): Promise<boolean> {
    return this.wakeUp();
  }

  /**
   * `wakeUp()`: an address-only write to the general-call address (SDA low for nine bit
   * times), 1,500 µs, then a 4-byte read; true only for a well-formed 0x11 group.
   */
  async wakeUp(): Promise<boolean> {
    this.bus.write(0x00); // ATECC608B datasheet §6.1: tWLO ≥ 60 µs of SDA low wakes the part
    await this.bus.sleep(WAKE_DELAY_US);
    const r = this.bus.read(this.address, 4);
    if (!r.ack) return false;
    const answer = classifyAnswer(r.data, 4);
    return answer.kind === 'payload' && answer.payload[0] === STATUS.AFTER_WAKE;
  }

  /** `idleMode()`: word address 0x02; TempKey and the SHA context survive. */
  idleMode(): boolean {
    return this.bus.write(this.address, [WORD_ADDRESS.IDLE]).ack;
  }

  /** Word address 0x01: volatile state is lost and the part needs a wake. */
  sleepMode(): boolean {
    return this.bus.write(this.address, [WORD_ADDRESS.SLEEP]).ack;
  }

  /** Wake, then ERR_SE_NO_DEVICE unless the part answered with a valid wake group. */
  async requireDevice(): Promise<void> {
    if (!(await this.wakeUp())) {
      throw new LabError('ERR_SE_NO_DEVICE', `no ATECC608 answers at 0x${hex(this.address)}`, {
        details: { address: this.address },
      });
    }
    this.idleMode();
  }

  /**
   * One command, as SparkFun's sendCommand() + receiveResponseData() + idleMode() +
   * checkCount() + checkCrc(): returns the payload of a response of `responseLength` bytes
   * (count, payload, CRC).
   */
  async command(
    opcode: number,
    param1: number,
    param2: number,
    data: Uint8Array,
    responseLength: number,
  ): Promise<Uint8Array> {
    const name = OPCODE_NAME[opcode] ?? `0x${hex(opcode)}`;
    await this.wakeUp(); // the library ignores this result; the write below tells
    const packet = encodeCommand(opcode, param1, param2, data);
    const sent = this.bus.write(this.address, [WORD_ADDRESS.COMMAND, ...packet]);
    if (!sent.ack) {
      throw new LabError(
        'ERR_SE_NO_DEVICE',
        `${name}: the part at 0x${hex(this.address)} did not acknowledge`,
        {
          details: { address: this.address, command: name },
        },
      );
    }
    this.commandsSent++;
    let received: Uint8Array;
    if (this.responseWait === 'poll') {
      received = await this.#poll(opcode, responseLength);
    } else {
      await this.bus.sleep((SPARKFUN_DELAY_MS[opcode] ?? 50) * 1000);
      received = this.#receive(responseLength);
    }
    this.idleMode();
    const answer = classifyAnswer(received, responseLength);
    if (answer.kind === 'payload') {
      // A 4-byte answer is a status group; anything but success is an error.
      if (responseLength === 4 && answer.payload[0] !== STATUS.SUCCESS) {
        throw statusError(name, answer.payload[0]!);
      }
      return answer.payload;
    }
    if (answer.kind === 'status') throw statusError(name, answer.status);
    throw new LabError(
      'ERR_SE_COMMUNICATION',
      `${name}: response failed its ${answer.reason} check (${answer.received}/${responseLength} bytes)`,
      {
        details: {
          command: name,
          reason: answer.reason,
          received: answer.received,
          expected: responseLength,
        },
      },
    );
  }

  /** receiveResponseData(): up to 20 requestFrom() calls; a NACK (busy part) uses an attempt. */
  #receive(length: number): Uint8Array {
    const out: number[] = [];
    for (let attempt = 0; attempt < READ_ATTEMPTS && out.length < length; attempt++) {
      const r = this.bus.read(this.address, Math.min(READ_CHUNK, length - out.length));
      if (r.ack) out.push(...r.data);
    }
    return Uint8Array.from(out);
  }

  /**
   * CryptoAuthLib's wait: ATECC608B datasheet §7.3 — the part NACKs its address while it
   * executes, so the host retries the read until it ACKs; past the command's maximum execution
   * time it gives up (an empty answer, ERR_SE_COMMUNICATION). Then the rest of the answer.
   */
  async #poll(opcode: number, length: number): Promise<Uint8Array> {
    const deadlineUs = this.bus.nowUs() + (MAX_EXECUTION_MS[opcode] ?? LONGEST_EXECUTION_MS) * 1000;
    await this.bus.sleep(POLL_INITIAL_US);
    for (;;) {
      const first = this.bus.read(this.address, Math.min(READ_CHUNK, length));
      if (first.ack) {
        const out = [...first.data];
        while (out.length < length) {
          const r = this.bus.read(this.address, Math.min(READ_CHUNK, length - out.length));
          if (!r.ack) break;
          out.push(...r.data);
        }
        return Uint8Array.from(out);
      }
      if (this.bus.nowUs() >= deadlineUs) return new Uint8Array(0);
      await this.bus.sleep(Math.min(POLL_INTERVAL_US, deadlineUs - this.bus.nowUs()));
    }
  }

  /** Info mode 0: the 4-byte revision (`00 00 60 03` on an ATECC608B). */
  async info(): Promise<Uint8Array> {
    return this.command(OPCODE.INFO, 0x00, 0x0000, new Uint8Array(0), 7);
  }

  /** `read(zone, address, length)`: 4 or 32 bytes. */
  async read(zone: ZoneName, address: number, length: 4 | 32): Promise<Uint8Array> {
    const param1 = ZONE_CODE[zone] | (length === 32 ? LENGTH_32 : 0);
    return this.command(OPCODE.READ, param1, address, new Uint8Array(0), length + 3);
  }

  /** `write(zone, address, data, length)`: 4 or 32 bytes in clear; the part answers a status. */
  async write(zone: ZoneName, address: number, data: Uint8Array): Promise<void> {
    if (data.length !== 4 && data.length !== 32) {
      throw new LabError('ERR_SE_SLOT_INVALID', `write: ${data.length} bytes, expected 4 or 32`, {
        details: { length: data.length },
      });
    }
    const param1 = ZONE_CODE[zone] | (data.length === 32 ? LENGTH_32 : 0);
    await this.command(OPCODE.WRITE, param1, address, data, 4);
  }

  /**
   * `readConfigZone()`: four 32-byte reads at config addresses 0x00, 0x08, 0x10, 0x18, then the
   * lock flags and the SlotConfig/KeyConfig arrays as the library derives them.
   */
  async readConfigZone(): Promise<ConfigSnapshot> {
    const zone = new Uint8Array(128);
    for (let block = 0; block < 4; block++) {
      zone.set(await this.read('config', block << 3, 32), block * 32);
    }
    const u16 = (offset: number): number[] =>
      Array.from({ length: 16 }, (_, i) => zone[offset + 2 * i]! | (zone[offset + 2 * i + 1]! << 8));
    const snapshot: ConfigSnapshot = {
      configZone: zone,
      serialNumber: Uint8Array.from([...zone.subarray(0, 4), ...zone.subarray(8, 13)]),
      revisionNumber: zone.slice(4, 8),
      configLockStatus: zone[CONFIG.LOCK_CONFIG] === 0x00,
      dataOTPLockStatus: zone[CONFIG.LOCK_VALUE] === 0x00,
      slot0LockStatus: (zone[CONFIG.SLOT_LOCKED]! & 0x01) === 0,
      slotConfig: u16(CONFIG.SLOT_CONFIG),
      keyConfig: u16(CONFIG.KEY_CONFIG),
    };
    this.#config = snapshot;
    return snapshot;
  }

  /** The last readConfigZone() result. */
  get config(): ConfigSnapshot | undefined {
    return this.#config;
  }

  /** `blocks` consecutive 32-byte reads of a data slot at `(slot<<3)|(block<<8)`. */
  async readSlot(slot: number, blocks: number): Promise<Uint8Array> {
    const out = new Uint8Array(blocks * 32);
    for (let block = 0; block < blocks; block++) {
      out.set(await this.read('data', slotBlockAddress(slot, block), 32), block * 32);
    }
    return out;
  }

  /** 32-byte writes of `data` (a multiple of 32 bytes) into a data slot, block by block. */
  async writeSlot(slot: number, data: Uint8Array): Promise<void> {
    if (data.length % 32 !== 0) {
      throw new LabError(
        'ERR_SE_SLOT_INVALID',
        `writeSlot: ${data.length} bytes is not whole 32-byte blocks`,
        {
          details: { slot, length: data.length },
        },
      );
    }
    for (let block = 0; block < data.length / 32; block++) {
      await this.write('data', slotBlockAddress(slot, block), data.subarray(block * 32, block * 32 + 32));
    }
  }

  /**
   * Lock the configuration zone (`lockConfig`: param1 0x80) or data+OTP (`lockDataAndOTP`:
   * 0x81). With a summary CRC (datasheet §11.10, CRC-16 of the zone) the part checks it
   * first; without one (bit 7, as the SparkFun library does) it locks whatever it holds.
   */
  async lockZone(zone: 'config' | 'data', summaryCrc?: number): Promise<void> {
    const mode = (zone === 'config' ? 0x00 : 0x01) | (summaryCrc === undefined ? 0x80 : 0x00);
    await this.command(OPCODE.LOCK, mode, summaryCrc ?? 0, new Uint8Array(0), 4);
  }

  /** Lock one data slot (mode 0x02 | slot << 2, CRC ignored); irreversible. */
  async lockSlot(slot: number): Promise<void> {
    await this.command(OPCODE.LOCK, 0x82 | (slot << 2), 0, new Uint8Array(0), 4);
  }

  /** `getRandomBytes()`: Random mode 0, 32 bytes. */
  async random(): Promise<Uint8Array> {
    return this.command(OPCODE.RANDOM, 0x00, 0x0000, new Uint8Array(0), 35);
  }

  /** `generatePublicKey(slot)`: GenKey mode 0x00 — X‖Y of the slot's private key. */
  async generatePublicKey(slot: number): Promise<Uint8Array> {
    return this.command(OPCODE.GENKEY, 0x00, slot, new Uint8Array(0), 67);
  }

  /** `createNewKeyPair(slot)`: GenKey mode 0x04 — a new private key; returns its public key. */
  async createNewKeyPair(slot: number): Promise<Uint8Array> {
    return this.command(OPCODE.GENKEY, 0x04, slot, new Uint8Array(0), 67);
  }

  /** Nonce pass-through (mode 0x03): load 32 bytes into TempKey. */
  async loadTempKey(value: Uint8Array): Promise<void> {
    assertDigest(value, 'nonce');
    await this.command(OPCODE.NONCE, 0x03, 0x0000, value, 4);
  }

  /**
   * `createSignature(digest, slot)`: Nonce pass-through of the 32-byte digest, then Sign of an
   * external message (mode 0x80) with the slot's key → raw R‖S, 64 bytes.
   */
  async createSignature(digest: Uint8Array, slot = 0): Promise<Uint8Array> {
    return this.#withTempKey(async () => {
      await this.loadTempKey(digest);
      return this.command(OPCODE.SIGN, 0x80, slot, new Uint8Array(0), 67);
    });
  }

  /**
   * `verifySignature(digest, signature, publicKey)`: Nonce pass-through, then Verify external
   * (mode 0x02, key type P-256 0x0004). True on a match; the part's miscompare status is false.
   */
  async verifySignature(digest: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
    if (signature.length !== 64 || publicKey.length !== 64) {
      throw new LabError('ERR_SE_SLOT_INVALID', 'verify: signature and public key are 64 bytes each', {
        details: { signature: signature.length, publicKey: publicKey.length },
      });
    }
    return this.#withTempKey(async () => {
      await this.loadTempKey(digest);
      try {
        await this.command(OPCODE.VERIFY, 0x02, 0x0004, Uint8Array.from([...signature, ...publicKey]), 4);
        return true;
      } catch (err) {
        if (isLabError(err, 'ERR_SE_STATUS') && err.details.status === STATUS.MISCOMPARE) return false;
        throw err;
      }
    });
  }

  /**
   * Run a Nonce→Sign (or Nonce→Verify) pair with no other pair in between. ATECC608B: TempKey
   * is one register, and Sign mode 0x80 signs whatever it holds (reference §3.7), so a TLS
   * CertificateVerify and a reading signed at the same moment would otherwise have the chip
   * sign one caller's digest for the other.
   */
  #withTempKey<T>(run: () => Promise<T>): Promise<T> {
    const result = this.#tempKeyUser.then(run, run);
    this.#tempKeyUser = result.catch(() => undefined);
    return result;
  }

  /**
   * `sha256(data)`: SHA start, update per 64-byte block, end with the rest — with idle between
   * the steps, so the part's SHA context has to survive Idle (it does).
   */
  async sha256(data: Uint8Array): Promise<Uint8Array> {
    await this.command(OPCODE.SHA, 0x00, 0, new Uint8Array(0), 4);
    let offset = 0;
    for (; data.length - offset >= 64; offset += 64) {
      await this.command(OPCODE.SHA, 0x01, 64, data.subarray(offset, offset + 64), 4);
    }
    const rest = data.subarray(offset);
    return this.command(OPCODE.SHA, 0x02, rest.length, rest, 35);
  }

  /** ECDH mode 0x0C: the shared secret X in clear, 32 bytes (if the slot's policy allows). */
  async ecdh(slot: number, peerPublicKey: Uint8Array): Promise<Uint8Array> {
    return this.command(OPCODE.ECDH, 0x0c, slot, peerPublicKey, 35);
  }

  /** Counter read (mode 0) or increment (mode 1) of counter 0 or 1. */
  async counter(id: 0 | 1, increment: boolean): Promise<number> {
    const p = await this.command(OPCODE.COUNTER, increment ? 0x01 : 0x00, id, new Uint8Array(0), 7);
    return (p[0]! | (p[1]! << 8) | (p[2]! << 16) | (p[3]! << 24)) >>> 0;
  }

  /** Sign a message whose SHA-256 the host computes (as the firmware does for a TLS transcript). */
  async signMessage(message: Uint8Array, slot = 0): Promise<Uint8Array> {
    return this.createSignature(new Uint8Array(createHash('sha256').update(message).digest()), slot);
  }
}

function statusError(command: string, status: number): LabError {
  return new LabError(
    'ERR_SE_STATUS',
    `${command}: the part answered status 0x${hex(status)} (${statusName(status)})`,
    {
      details: { command, status },
    },
  );
}

function statusName(status: number): string {
  const entry = Object.entries(STATUS).find(([, v]) => v === status);
  return entry ? entry[0].toLowerCase().replaceAll('_', ' ') : 'unknown';
}

function assertDigest(value: Uint8Array, what: string): void {
  if (value.length !== 32) {
    throw new LabError('ERR_SE_SLOT_INVALID', `${what}: ${value.length} bytes, expected a 32-byte digest`, {
      details: { length: value.length },
    });
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
