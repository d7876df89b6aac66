/**
 * Host driver for the Bosch BMP280 of the M5Stack ENV II unit (BST-BMP280-DS001, rev. 1.14), with
 * the behaviour of the Adafruit_BMP280 library the M5 examples use: check the chip id, read the
 * trimming, configure ctrl_meas/config, read the raw values and compensate them with the
 * datasheet's integer formulas (int32 temperature, int64 pressure).
 *
 * Where Adafruit reads registers one at a time, this driver uses burst reads (§3.9). The BMP280
 * sends no checksum, so to keep a bit error on the bus from becoming a wrong reading the driver
 * reads every block twice and compares, reads back what it writes, and rejects values outside the
 * part's operating range. After any error it reconfigures the part before the next measurement.
 */
import { parseOptions, z } from '../../core/options.js';
import type { I2cBus } from '../../hardware/i2c/index.js';
import {
  type Bmp280Trimming,
  compensatePressureQ24_8,
  compensateTemperature,
  decodeTrimming,
  TRIMMING_BYTES,
} from './bmp280-compensation.js';
import { badData, sameBytes, sensorRead, sensorWrite, type SensorTarget } from './sensor-bus.js';

/** §5.2: SDO to GND → 0x76 (the ENV II), SDO to VDDIO → 0x77. */
export const BMP280_DEFAULT_ADDRESS = 0x76;

const REG = { calib: 0x88, id: 0xd0, reset: 0xe0, status: 0xf3, ctrlMeas: 0xf4, config: 0xf5, data: 0xf7 };
const CHIP_ID = 0x58; // §4.3.1
const RESET_WORD = 0xb6; // §4.3.2
const STATUS_MEASURING = 0x08; // §4.3.3, bit 3
const STARTUP_US = 2_000; // §1: start-up time after power-on or a soft reset
const NO_MEASUREMENT = 0x80000; // §4.3.6–4.3.7: reset value of the data registers, also a skipped measurement
const STATUS_POLLS = 10;

// §4.3.4 Tables 21–22 (osrs_p, osrs_t), §3.3.3 (filter), §3.6.3 (t_sb): setting → register code.
const OVERSAMPLING_CODE = { 1: 0b001, 2: 0b010, 4: 0b011, 8: 0b100, 16: 0b101 } as const;
const FILTER_CODE = { 1: 0b000, 2: 0b001, 4: 0b010, 8: 0b011, 16: 0b100 } as const;
const STANDBY_CODE = { 0.5: 0, 62.5: 1, 125: 2, 250: 3, 500: 4, 1000: 5, 2000: 6, 4000: 7 } as const;
const MODE_SLEEP = 0b00;
const MODE_FORCED = 0b01;
const MODE_NORMAL = 0b11;

const oversampling = z.literal([1, 2, 4, 8, 16]);

// Defaults: §3.4 Table 7, "weather monitoring": forced mode, ×1/×1, filter off.
const schema = z.strictObject({
  address: z.literal([0x76, 0x77]).default(BMP280_DEFAULT_ADDRESS),
  mode: z.enum(['forced', 'normal']).default('forced'),
  temperatureOversampling: oversampling.default(1),
  pressureOversampling: oversampling.default(1),
  /** IIR filter coefficient, 1 = off. */
  filter: oversampling.default(1),
  /** Normal mode: t_standby between conversions, ms. */
  standbyMs: z.literal([0.5, 62.5, 125, 250, 500, 1000, 2000, 4000]).default(1000),
});
export type Bmp280DriverOptions = z.input<typeof schema>;

export interface Bmp280Measurement {
  readonly temperatureC: number;
  readonly pressurePa: number;
  readonly adcT: number;
  readonly adcP: number;
  readonly tFine: number;
}

export class Bmp280Driver {
  readonly address: number;
  readonly #bus: I2cBus;
  readonly #o: Readonly<z.infer<typeof schema>>;
  readonly #target: SensorTarget;
  #trimming: Bmp280Trimming | undefined;
  /** Set after an error: the part's registers may no longer hold our configuration. */
  #configured = false;

  constructor(bus: I2cBus, options: Bmp280DriverOptions = {}) {
    this.#bus = bus;
    this.#o = parseOptions(schema, options, 'Bmp280Driver');
    this.address = this.#o.address;
    this.#target = { part: 'BMP280', address: this.address };
  }

  get trimming(): Bmp280Trimming | undefined {
    return this.#trimming;
  }

  /** Adafruit_BMP280::begin: chip id, trimming, configuration. */
  async begin(): Promise<void> {
    await this.#guard(async () => {
      const [id] = this.#readRegisters(REG.id, 1);
      if (id !== CHIP_ID) {
        throw badData(this.#target, `chip id 0x${id!.toString(16)} is not a BMP280's 0x58`, { chipId: id });
      }
      const bytes = this.#readTwice(REG.calib, TRIMMING_BYTES, 'trimming');
      const trimming = decodeTrimming(bytes);
      // §3.11.3: the pressure formula divides by a term proportional to dig_P1; dig_T1 = 0 is an erased NVM.
      if (trimming.digT1 === 0 || trimming.digP1 === 0) {
        throw badData(this.#target, 'trimming has dig_T1 or dig_P1 = 0', { trimming });
      }
      this.#trimming = trimming;
      await this.#configure();
    });
  }

  /** §4.3.2: the reset word runs the power-on reset; the part is deaf for the start-up time. */
  async reset(): Promise<void> {
    this.#configured = false;
    sensorWrite(this.#bus, this.#target, [REG.reset, RESET_WORD]);
    await this.#bus.sleep(STARTUP_US);
  }

  /** One reading: in forced mode a conversion is started and awaited; in normal mode the latest is read. */
  async measure(): Promise<Bmp280Measurement> {
    if (this.#trimming === undefined) await this.begin();
    return this.#guard(async () => {
      if (!this.#configured) await this.#configure();
      const raw = this.#o.mode === 'forced' ? await this.#forcedConversion() : this.#latestConversion();
      return this.#compensate(raw);
    });
  }

  async #forcedConversion(): Promise<Uint8Array> {
    const ctrl = this.#ctrlMeas(MODE_FORCED);
    sensorWrite(this.#bus, this.#target, [REG.ctrlMeas, ctrl]);
    // The conversion lasts milliseconds: an immediate read-back still sees mode = forced (§3.6.2),
    // and a mismatch means the trigger was corrupted — the data registers would hold an old result.
    const [echo] = this.#readRegisters(REG.ctrlMeas, 1);
    if (echo !== ctrl) throw badData(this.#target, 'ctrl_meas read back differs from the trigger', { echo });
    // §3.9: in forced mode, wait the maximum measurement time of §3.8.1 before reading.
    await this.#bus.sleep(this.#measurementUs());
    for (let poll = 0; this.#readRegisters(REG.status, 1)[0]! & STATUS_MEASURING; poll++) {
      if (poll === STATUS_POLLS) throw badData(this.#target, 'status still "measuring" past t_meas');
      await this.#bus.sleep(1_000);
    }
    return this.#readTwice(REG.data, 6, 'data');
  }

  /** Normal mode: the registers may update between two reads, so a third settles a mismatch. */
  #latestConversion(): Uint8Array {
    const first = this.#readRegisters(REG.data, 6);
    const second = this.#readRegisters(REG.data, 6);
    if (sameBytes(first, second)) return second;
    const third = this.#readRegisters(REG.data, 6);
    if (sameBytes(second, third)) return third;
    throw badData(this.#target, 'three reads of the data registers disagree');
  }

  #compensate(data: Uint8Array): Bmp280Measurement {
    const trimming = this.#trimming!;
    // §4.3.6–4.3.7: msb = [19:12], lsb = [11:4], xlsb[7:4] = [3:0].
    const adcP = (data[0]! << 12) | (data[1]! << 4) | (data[2]! >> 4);
    const adcT = (data[3]! << 12) | (data[4]! << 4) | (data[5]! >> 4);
    if (adcP === NO_MEASUREMENT || adcT === NO_MEASUREMENT) {
      throw badData(this.#target, 'no measurement in the data registers (0x80000)', { adcP, adcT });
    }
    const { centiCelsius, tFine } = compensateTemperature(adcT, trimming);
    const pressurePa = compensatePressureQ24_8(adcP, tFine, trimming) / 256;
    const temperatureC = centiCelsius / 100;
    // §1 Table 2: operating range -40…+85 °C, 300…1100 hPa; outside it the numbers are not a reading.
    if (temperatureC < -40 || temperatureC > 85 || pressurePa < 30_000 || pressurePa > 110_000) {
      throw badData(this.#target, 'compensated values outside the operating range', {
        temperatureC,
        pressurePa,
      });
    }
    return { temperatureC, pressurePa, adcT, adcP, tFine };
  }

  /**
   * Adafruit_BMP280::setSampling. §4.3.5: config writes may be ignored in normal mode, so the part
   * is put to sleep first; then both registers are read back.
   */
  async #configure(): Promise<void> {
    const config = (STANDBY_CODE[this.#o.standbyMs] << 5) | (FILTER_CODE[this.#o.filter] << 2);
    const ctrl = this.#ctrlMeas(this.#o.mode === 'normal' ? MODE_NORMAL : MODE_SLEEP);
    sensorWrite(this.#bus, this.#target, [REG.ctrlMeas, this.#ctrlMeas(MODE_SLEEP)]);
    sensorWrite(this.#bus, this.#target, [REG.config, config]);
    if (ctrl !== this.#ctrlMeas(MODE_SLEEP)) sensorWrite(this.#bus, this.#target, [REG.ctrlMeas, ctrl]);
    const [ctrlBack, configBack] = this.#readRegisters(REG.ctrlMeas, 2);
    if (ctrlBack !== ctrl || configBack !== config) {
      throw badData(this.#target, 'ctrl_meas/config read back differ from what was written', {
        ctrlMeas: ctrlBack,
        config: configBack,
      });
    }
    // Normal mode: the data registers hold 0x80000 until the first conversion ends.
    if (this.#o.mode === 'normal') await this.#bus.sleep(this.#measurementUs());
    this.#configured = true;
  }

  #ctrlMeas(mode: number): number {
    const { temperatureOversampling: t, pressureOversampling: p } = this.#o;
    return (OVERSAMPLING_CODE[t] << 5) | (OVERSAMPLING_CODE[p] << 2) | mode;
  }

  // §3.8.1 Table 13, maximum: 1.25 ms + 2.3 ms · osrs_t + (2.3 ms · osrs_p + 0.575 ms).
  #measurementUs(): number {
    return 1250 + 2300 * this.#o.temperatureOversampling + 2300 * this.#o.pressureOversampling + 575;
  }

  /** §5.2.2: write the register address, then burst-read with auto-increment. */
  #readRegisters(register: number, length: number): Uint8Array {
    sensorWrite(this.#bus, this.#target, [register]);
    return sensorRead(this.#bus, this.#target, length);
  }

  /** No checksum on this part: the same bytes twice, or the block is not trusted. */
  #readTwice(register: number, length: number, what: string): Uint8Array {
    const first = this.#readRegisters(register, length);
    const second = this.#readRegisters(register, length);
    if (!sameBytes(first, second)) throw badData(this.#target, `two reads of the ${what} disagree`, { what });
    return second;
  }

  async #guard<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      this.#configured = false;
      throw err;
    }
  }
}
