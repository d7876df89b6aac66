import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { VirtualBusClock } from '../i2c/clock.js';
import type { I2cTarget } from '../i2c/target.js';
import { Atecc608b, type CreateOptions } from './part.js';
import { decodeResponse, encodeCommand, WORD_ADDRESS } from './packet.js';

/**
 * A minimal I2C host for tests: it drives an I2cTarget directly with the bytes and timing a
 * CryptoAuthLib-style host uses at 100 kHz (wake pulse on SDA, 0x03 + packet, poll while the
 * part NACKs, read the count byte then the rest, 0x02 idle).
 */
export const BYTE_US = 90; // nine bit times at 100 kHz
export const WAKE_DELAY_US = 1500; // CryptoAuthLib wake_delay

export interface Reply {
  /** The whole response group as read from the bus. */
  readonly group: Uint8Array;
  readonly payload: Uint8Array;
  /** The status byte of a 4-byte group, else null. */
  readonly status: number | null;
}

export class TestHost {
  readonly clock: VirtualBusClock;
  readonly part: I2cTarget;

  constructor(part: I2cTarget, clock = new VirtualBusClock(1_000)) {
    this.part = part;
    this.clock = clock;
  }

  get now(): number {
    return this.clock.nowUs();
  }

  advance(us: number): void {
    this.clock.advance(us);
  }

  /** A general-call write at 100 kHz: SDA low for the address byte. */
  wakePulse(lowUs = BYTE_US): void {
    this.advance(lowUs);
    this.part.sdaLow?.(lowUs, this.now);
  }

  /** Wake pulse, wait, read the 4-byte wake group (null if the part NACKs). */
  wake(): Uint8Array | null {
    this.wakePulse();
    this.advance(WAKE_DELAY_US);
    return this.read(4);
  }

  write(bytes: Uint8Array): boolean {
    const ack = this.part.write(bytes, this.now);
    this.advance(BYTE_US * (1 + (ack ? bytes.length : 0)));
    return ack;
  }

  read(length: number): Uint8Array | null {
    const bytes = this.part.read(length, this.now);
    this.advance(BYTE_US * (1 + (bytes ? length : 0)));
    return bytes;
  }

  send(opcode: number, param1: number, param2: number, data?: Uint8Array): boolean {
    return this.sendRaw(encodeCommand(opcode, param1, param2, data));
  }

  /** Word address 0x03 followed by `packet`. */
  sendRaw(packet: Uint8Array): boolean {
    return this.write(Uint8Array.from([WORD_ADDRESS.COMMAND, ...packet]));
  }

  /** Poll every millisecond until the part answers, then read the count byte and the rest. */
  receive(maxWaitUs = 2_500_000): Uint8Array {
    const deadline = this.now + maxWaitUs;
    for (;;) {
      if (this.write(Uint8Array.of(WORD_ADDRESS.RESET))) break;
      if (this.now > deadline) throw new Error('the part never answered');
      this.advance(1000);
    }
    const count = this.read(1)!;
    const rest = count[0]! > 1 ? this.read(count[0]! - 1)! : new Uint8Array(0);
    return Uint8Array.from([...count, ...rest]);
  }

  /** wake → command → response → idle, as CryptoAuthLib runs every command. */
  command(opcode: number, param1: number, param2: number, data?: Uint8Array): Reply {
    this.wake();
    if (!this.send(opcode, param1, param2, data)) throw new Error('the part NACKed the command');
    const group = this.receive();
    this.idle();
    const decoded = decodeResponse(group);
    if (!decoded.ok) throw new Error(`bad response group (${decoded.reason}): ${hex(group)}`);
    return {
      group,
      payload: decoded.payload,
      status: decoded.payload.length === 1 ? decoded.payload[0]! : null,
    };
  }

  idle(): boolean {
    return this.write(Uint8Array.of(WORD_ADDRESS.IDLE));
  }

  sleep(): boolean {
    return this.write(Uint8Array.of(WORD_ADDRESS.SLEEP));
  }
}

/** A part on a test host; instant timing unless asked. */
export function partOnHost(options: CreateOptions = {}): { part: Atecc608b; host: TestHost } {
  const part = Atecc608b.create({ timing: 'instant', ...options });
  return { part, host: new TestHost(part) };
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();
export const fromHex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** A Node KeyObject for a raw X‖Y P-256 public key (as GenKey returns it). */
export function nodePublicKey(xy: Uint8Array): KeyObject {
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: Buffer.from(xy.subarray(0, 32)).toString('base64url'),
      y: Buffer.from(xy.subarray(32, 64)).toString('base64url'),
    },
    format: 'jwk',
  });
}

export const sha256 = (data: string | Uint8Array): Uint8Array =>
  new Uint8Array(createHash('sha256').update(data).digest());
