/**
 * Host driver for the Sensirion SHT30 of the M5Stack ENV II unit (datasheet SHT3x-DIS, v5 May
 * 2018), with the behaviour of the Arduino libraries M5Stack's ENV II examples use: a single-shot
 * measurement (0x2C06 by default), a wait of the measurement time, a 6-byte read, the §4.13
 * conversions. Unlike the M5 library this driver checks both CRC-8 bytes, so a corrupted answer
 * is an error rather than a wrong reading.
 *
 * It talks only through an I2cBus. The command codes, CRC and conversions are written here from
 * the datasheet, not imported from the emulator, so the tests check one against the other.
 */
import { parseOptions, z } from '../../core/options.js';
import type { I2cBus } from '../../hardware/i2c/index.js';
import { badData, sensorRead, sensorWrite, type SensorTarget } from './sensor-bus.js';

/** SHT3x-DIS §3 (I2C address): ADDR low → 0x44 (the ENV II), ADDR high → 0x45. */
export const SHT30_DEFAULT_ADDRESS = 0x44;

export type Sht30Repeatability = 'high' | 'medium' | 'low';

// SHT3x-DIS §4.3: single shot commands, clock stretching enabled (0x2C..) and disabled (0x24..).
const SINGLE_SHOT: Readonly<Record<Sht30Repeatability, { stretch: number; noStretch: number }>> = {
  high: { stretch: 0x2c06, noStretch: 0x2400 },
  medium: { stretch: 0x2c0d, noStretch: 0x240b },
  low: { stretch: 0x2c10, noStretch: 0x2416 },
};
// SHT3x-DIS Table 4: maximum measurement duration. Without clock stretching the part NACKs a read
// sent before the result is ready (§4.4), so the driver waits the maximum, not the typical time.
const MEASUREMENT_US: Readonly<Record<Sht30Repeatability, number>> = {
  high: 15_000,
  medium: 6_000,
  low: 4_000,
};
const SOFT_RESET = 0x30a2; // §4.9
const SOFT_RESET_US = 1_500; // Table 4: tSR, maximum
const READ_STATUS = 0xf32d; // §4.11
const CLEAR_STATUS = 0x3041; // §4.11

const schema = z.strictObject({
  address: z.literal([0x44, 0x45]).default(SHT30_DEFAULT_ADDRESS),
  repeatability: z.enum(['high', 'medium', 'low']).default('high'),
  /** The M5 library sends 0x2C06 (stretching enabled); 0x2400 is the same measurement without it. */
  clockStretching: z.boolean().default(true),
});
export type Sht30DriverOptions = z.input<typeof schema>;

export interface Sht30Measurement {
  readonly temperatureC: number;
  readonly relativeHumidityPct: number;
  /** S_T and S_RH, the 16-bit words the part sent. */
  readonly rawTemperature: number;
  readonly rawHumidity: number;
}

/** SHT3x-DIS §4.11, status register bits. */
export interface Sht30Status {
  readonly word: number;
  readonly alertPending: boolean;
  readonly heaterOn: boolean;
  readonly humidityAlert: boolean;
  readonly temperatureAlert: boolean;
  readonly resetDetected: boolean;
  readonly commandFailed: boolean;
  readonly writeChecksumFailed: boolean;
}

export class Sht30Driver {
  readonly address: number;
  readonly #bus: I2cBus;
  readonly #o: Readonly<z.infer<typeof schema>>;
  readonly #target: SensorTarget;

  constructor(bus: I2cBus, options: Sht30DriverOptions = {}) {
    this.#bus = bus;
    this.#o = parseOptions(schema, options, 'Sht30Driver');
    this.address = this.#o.address;
    this.#target = { part: 'SHT30', address: this.address };
  }

  /** Adafruit_SHT31::begin: soft reset, then the status word (which proves the part answers with good CRCs). */
  async begin(): Promise<Sht30Status> {
    await this.softReset();
    return this.readStatus();
  }

  /** One single-shot measurement: command, wait tMEAS, read T, CRC, RH, CRC. */
  async measure(): Promise<Sht30Measurement> {
    const { repeatability, clockStretching } = this.#o;
    const command = SINGLE_SHOT[repeatability][clockStretching ? 'stretch' : 'noStretch'];
    sensorWrite(this.#bus, this.#target, commandBytes(command));
    await this.#bus.sleep(MEASUREMENT_US[repeatability]);
    const data = sensorRead(this.#bus, this.#target, 6);
    const rawTemperature = this.#checkedWord(data, 0, 'temperature');
    const rawHumidity = this.#checkedWord(data, 3, 'humidity');
    return {
      temperatureC: sht30Celsius(rawTemperature),
      relativeHumidityPct: sht30RelativeHumidity(rawHumidity),
      rawTemperature,
      rawHumidity,
    };
  }

  /** §4.9: reloads calibration and defaults; the part answers again after tSR. */
  async softReset(): Promise<void> {
    sensorWrite(this.#bus, this.#target, commandBytes(SOFT_RESET));
    await this.#bus.sleep(SOFT_RESET_US);
  }

  async readStatus(): Promise<Sht30Status> {
    sensorWrite(this.#bus, this.#target, commandBytes(READ_STATUS));
    const word = this.#checkedWord(sensorRead(this.#bus, this.#target, 3), 0, 'status');
    return decodeStatus(word);
  }

  /** §4.11: clears the alert, tracking and reset-detected flags. */
  async clearStatus(): Promise<void> {
    sensorWrite(this.#bus, this.#target, commandBytes(CLEAR_STATUS));
  }

  #checkedWord(data: Uint8Array, offset: number, what: string): number {
    const msb = data[offset]!;
    const lsb = data[offset + 1]!;
    const crc = data[offset + 2]!;
    const expected = sht30Crc8([msb, lsb]);
    // SHT3x-DIS §4.12: every 16-bit word is followed by its CRC-8; a mismatch means the word is wrong.
    if (crc !== expected) {
      throw badData(this.#target, `${what} word 0x${hex4((msb << 8) | lsb)} fails its CRC-8`, {
        word: what,
        received: crc,
        expected,
      });
    }
    return (msb << 8) | lsb;
  }
}

/** A 16-bit command goes out MSB first (§4.1). */
function commandBytes(command: number): number[] {
  return [command >> 8, command & 0xff];
}

// SHT3x-DIS §4.12: CRC-8, polynomial 0x31 (x^8 + x^5 + x^4 + 1), init 0xFF, no
// reflection, no final XOR. Table-driven: one lookup per byte.
const CRC_TABLE = Uint8Array.from({ length: 256 }, (_, byte) => {
  let r = byte;
  for (let i = 0; i < 8; i++) r = (r & 0x80 ? (r << 1) ^ 0x31 : r << 1) & 0xff;
  return r;
});

export function sht30Crc8(bytes: ArrayLike<number>): number {
  let crc = 0xff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[crc ^ (bytes[i]! & 0xff)]!;
  return crc;
}

// SHT3x-DIS §4.13: T = -45 + 175 · S_T / (2^16 - 1) °C.
export function sht30Celsius(raw: number): number {
  return -45 + (175 * raw) / 65535;
}

// SHT3x-DIS §4.13: RH = 100 · S_RH / (2^16 - 1) %.
export function sht30RelativeHumidity(raw: number): number {
  return (100 * raw) / 65535;
}

function decodeStatus(word: number): Sht30Status {
  const bit = (n: number) => (word & (1 << n)) !== 0;
  return {
    word,
    alertPending: bit(15),
    heaterOn: bit(13),
    humidityAlert: bit(11),
    temperatureAlert: bit(10),
    resetDetected: bit(4),
    commandFailed: bit(1),
    writeChecksumFailed: bit(0),
  };
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
