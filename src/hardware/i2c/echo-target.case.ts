/**
 * Test double shared by the bus, tap and fault tests: a register device with a pointer, like an
 * EEPROM or a sensor. A write [reg, d0, d1…] sets the pointer to reg and stores d0, d1… from there;
 * a read returns bytes from the pointer on. Asleep, it NACKs its address. Every call is logged.
 */
import type { I2cTarget } from './target.js';

export class EchoRegisters implements I2cTarget {
  readonly memory = new Uint8Array(256);
  pointer = 0;
  awake = true;
  readonly writes: { data: Uint8Array; nowUs: number }[] = [];
  readonly reads: { length: number; nowUs: number }[] = [];
  readonly sdaLows: { durationUs: number; nowUs: number }[] = [];

  write(data: Uint8Array, nowUs: number): boolean {
    this.writes.push({ data: data.slice(), nowUs });
    if (!this.awake) return false;
    if (data.length > 0) {
      this.pointer = data[0]!;
      data.subarray(1).forEach((b, i) => (this.memory[(this.pointer + i) & 0xff] = b));
    }
    return true;
  }

  read(length: number, nowUs: number): Uint8Array | null {
    this.reads.push({ length, nowUs });
    if (!this.awake) return null;
    return Uint8Array.from({ length }, (_, i) => this.memory[(this.pointer + i) & 0xff]!);
  }

  sdaLow(durationUs: number, nowUs: number): void {
    this.sdaLows.push({ durationUs, nowUs });
  }
}

/** A part without wake-on-SDA that answers a fixed reply, whatever length is asked. */
export function fixedReply(reply: readonly number[]): I2cTarget {
  return { write: () => true, read: () => Uint8Array.from(reply) };
}
