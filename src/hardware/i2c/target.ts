/**
 * What a device attached to the emulated I2C bus implements. The bus calls these for the
 * transactions addressed to the device; the device answers with the bytes a real part would
 * put on SDA. Times are bus microseconds from the bus clock (virtual or real), so execution
 * times, wake timing and watchdogs behave the same in a test with a fixed clock and in a lab run.
 */
export interface I2cTarget {
  /**
   * A master write addressed to this device (START, address+W, `data`, STOP).
   * Return false to NACK the address byte: the master sees a NACK and the data is not delivered
   * (an asleep or busy part, a part that is not there).
   */
  write(data: Uint8Array, nowUs: number): boolean;
  /**
   * A master read of `length` bytes (START, address+R, `length` bytes, STOP).
   * Return null to NACK the address byte (busy, asleep, nothing to send); otherwise exactly
   * `length` bytes. A part with fewer bytes to give pads as the real part would (0xFF).
   */
  read(length: number, nowUs: number): Uint8Array | null;
  /**
   * SDA was held low for `durationUs` while the device was not addressed: a general-call write
   * to 0x00 at 100 kHz holds SDA low for the nine bit times of the address byte, which is how
   * the host library wakes an ATECC608B (tWLO ≥ 60 µs). Devices that have no wake-on-SDA ignore it.
   */
  sdaLow?(durationUs: number, nowUs: number): void;
}

/** The bus's notion of time, in microseconds. `sleep` advances virtual time or waits real time. */
export interface BusClock {
  nowUs(): number;
  sleep(us: number): Promise<void>;
}
