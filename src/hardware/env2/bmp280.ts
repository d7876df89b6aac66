import { parseOptions, z } from '../../core/options.js';
import type { I2cTarget } from '../i2c/target.js';
import {
  assertCalibration,
  BMP280_DATASHEET_CALIBRATION,
  type Bmp280Calibration,
  encodeCalibration,
  pressureToAdc,
  temperatureToAdc,
} from './bmp280-compensation.js';
import {
  BMP280_ADDRESS,
  BMP280_CHIP_ID,
  BMP280_REG,
  BMP280_RESET_WORD,
  BMP280_SKIPPED,
  BMP280_STARTUP_US,
  BMP280_STATUS,
  filterCoefficient,
  measurementUs,
  modeOf,
  oversampling,
  resolutionBits,
  standbyUs,
} from './bmp280-registers.js';
import { ambientSourceSchema } from './environment.js';

const calibrationSchema = z.custom<Bmp280Calibration>((v) => {
  try {
    assertCalibration(v as Bmp280Calibration);
    return true;
  } catch {
    return false;
  }
}, 'expected BMP280 trimming parameters dig_T1…dig_P9 in their C types’ ranges');

const schema = z.strictObject({
  environment: ambientSourceSchema,
  /** The part's NVM trimming; default: the datasheet's worked example (§3.12). */
  calibration: calibrationSchema.default(BMP280_DATASHEET_CALIBRATION),
  poweredAtUs: z.number().min(0).default(0),
});
export type Bmp280Options = z.input<typeof schema>;

/**
 * Measurement noise of the model, 1σ for one sample, reduced by √oversampling: figures of the
 * order of the datasheet's RMS noise, not quoted from it.
 */
const NOISE = { temperatureC: 0.005, pressurePa: 2.6 } as const;
/** Normal mode: beyond this many missed cycles the IIR filter has forgotten the older ones. */
const MAX_CATCH_UP_CYCLES = 256;

/**
 * The BMP280 of the ENV II unit, at 0x76. The firmware's register protocol (§5.2): a write sets
 * the register pointer, then (register, value) pairs; a read bursts from the pointer with
 * auto-increment. Raw ADC values come from inverting the datasheet compensation with this part's
 * trimming, so the datasheet's own formulas give back the room's °C and Pa to the ADC resolution.
 */
export class Bmp280 implements I2cTarget {
  readonly address = BMP280_ADDRESS;
  readonly #o: Readonly<z.infer<typeof schema>>;
  readonly #calibBytes: Uint8Array;
  #busyUntilUs = 0;
  #pointer = 0;
  #ctrlMeas = 0;
  #config = 0;
  #adcT = BMP280_SKIPPED;
  #adcP = BMP280_SKIPPED;
  #iir: { t: number; p: number } | null = null;
  /** A forced conversion in flight, or the normal-mode schedule. */
  #forcedEndUs: number | null = null;
  #normal: { startUs: number; measureUs: number; cycleUs: number; done: number } | null = null;

  constructor(options: Bmp280Options) {
    this.#o = parseOptions(schema, options, 'Bmp280');
    this.#calibBytes = encodeCalibration(this.#o.calibration);
    this.#powerOnReset(this.#o.poweredAtUs);
  }

  write(data: Uint8Array, nowUs: number): boolean {
    if (nowUs < this.#busyUntilUs) return false;
    this.#catchUp(nowUs);
    // §5.2.1: control byte = register address; multi-byte writes repeat (address, data) pairs.
    for (let i = 0; i + 1 < data.length; i += 2) {
      this.#writeRegister(data[i]!, data[i + 1]!, nowUs);
      if (nowUs < this.#busyUntilUs) return true; // a soft reset: the rest of the transfer is lost
    }
    // The pointer ends on the last register named: a lone trailing byte, or the last pair's.
    if (data.length > 0) this.#pointer = data[data.length % 2 === 1 ? data.length - 1 : data.length - 2]!;
    return true;
  }

  read(length: number, nowUs: number): Uint8Array | null {
    if (nowUs < this.#busyUntilUs) return null;
    this.#catchUp(nowUs);
    // §3.10: a burst read sees one consistent set of data registers (shadowing).
    const out = new Uint8Array(length);
    for (let k = 0; k < length; k++) out[k] = this.#readRegister((this.#pointer + k) & 0xff, nowUs);
    this.#pointer = (this.#pointer + length) & 0xff;
    return out;
  }

  #readRegister(reg: number, nowUs: number): number {
    if (reg >= BMP280_REG.calib00 && reg < BMP280_REG.calib00 + 24) {
      return this.#calibBytes[reg - BMP280_REG.calib00]!;
    }
    switch (reg) {
      case BMP280_REG.id:
        return BMP280_CHIP_ID;
      case BMP280_REG.status:
        return this.#measuring(nowUs) ? BMP280_STATUS.measuring : 0;
      case BMP280_REG.ctrlMeas:
        return this.#ctrlMeas;
      case BMP280_REG.config:
        return this.#config;
      case BMP280_REG.pressMsb:
      case BMP280_REG.pressMsb + 1:
      case BMP280_REG.pressMsb + 2:
        return adcByte(this.#adcP, reg - BMP280_REG.pressMsb);
      case BMP280_REG.tempMsb:
      case BMP280_REG.tempMsb + 1:
      case BMP280_REG.tempMsb + 2:
        return adcByte(this.#adcT, reg - BMP280_REG.tempMsb);
      default:
        return 0x00; // reserved and unmapped addresses, including `reset` (§4.3.2 reads 0x00)
    }
  }

  #writeRegister(reg: number, value: number, nowUs: number): void {
    switch (reg) {
      case BMP280_REG.reset:
        if (value === BMP280_RESET_WORD) this.#powerOnReset(nowUs);
        return;
      case BMP280_REG.ctrlMeas:
        this.#ctrlMeas = value;
        this.#startMode(nowUs);
        return;
      case BMP280_REG.config:
        this.#config = value & 0b1111_1101; // bit 1 does not exist; spi3w_en has no effect on I2C
        if (this.#normal) this.#startMode(nowUs); // §4.3.5 allows ignoring it; here t_sb applies at once
        return;
      default:
        return; // read-only registers ignore writes
    }
  }

  /** §3.6: writing ctrl_meas selects the mode; forced starts one conversion, normal starts cycling. */
  #startMode(nowUs: number): void {
    const mode = modeOf(this.#ctrlMeas);
    const measureUs = measurementUs(this.#ctrlMeas);
    this.#forcedEndUs = mode === 'forced' ? nowUs + measureUs : null;
    this.#normal =
      mode === 'normal'
        ? { startUs: nowUs, measureUs, cycleUs: measureUs + standbyUs(this.#config), done: -1 }
        : null;
  }

  #measuring(nowUs: number): boolean {
    if (this.#forcedEndUs !== null) return nowUs < this.#forcedEndUs;
    const n = this.#normal;
    return n !== null && (nowUs - n.startUs) % n.cycleUs < n.measureUs;
  }

  /** Apply every conversion that finished before `nowUs`. */
  #catchUp(nowUs: number): void {
    if (this.#forcedEndUs !== null && nowUs >= this.#forcedEndUs) {
      this.#convert(this.#forcedEndUs);
      this.#forcedEndUs = null;
      this.#ctrlMeas &= ~0b11; // §3.6.2: after a forced conversion the part returns to sleep
    }
    const n = this.#normal;
    if (n === null) return;
    const latest = Math.floor((nowUs - n.startUs - n.measureUs) / n.cycleUs);
    for (let k = Math.max(n.done + 1, latest - MAX_CATCH_UP_CYCLES + 1); k <= latest; k++) {
      this.#convert(n.startUs + k * n.cycleUs + n.measureUs);
    }
    n.done = Math.max(n.done, latest);
  }

  /** One conversion: the room at `atUs`, through the inverse compensation, noise, IIR and ADC. */
  #convert(atUs: number): void {
    const { environment: env, calibration: cal } = this.#o;
    const osrsT = (this.#ctrlMeas >> 5) & 0b111;
    const osrsP = (this.#ctrlMeas >> 2) & 0b111;
    const ambient = env.at(atUs);
    const temperatureC =
      ambient.temperatureC + env.noise(NOISE.temperatureC / Math.sqrt(oversampling(osrsT) || 1));
    const pressurePa =
      ambient.pressureHpa * 100 + env.noise(NOISE.pressurePa / Math.sqrt(oversampling(osrsP) || 1));
    // The pressure ADC depends on the die temperature: invert with the true fine temperature.
    const rawT = temperatureToAdc(temperatureC, cal);
    const rawP = pressureToAdc(pressurePa, 5120 * temperatureC, cal);
    // §3.3.3: data_filtered = (data_filtered_old · (c − 1) + data_ADC) / c
    const c = filterCoefficient(this.#config);
    const prev = this.#iir ?? { t: rawT, p: rawP };
    this.#iir = { t: (prev.t * (c - 1) + rawT) / c, p: (prev.p * (c - 1) + rawP) / c };
    const filterOn = c > 1;
    this.#adcT = osrsT === 0 ? BMP280_SKIPPED : quantise(this.#iir.t, resolutionBits(osrsT, filterOn));
    this.#adcP = osrsP === 0 ? BMP280_SKIPPED : quantise(this.#iir.p, resolutionBits(osrsP, filterOn));
  }

  /** §4.3.2: the reset word performs the complete power-on-reset procedure. */
  #powerOnReset(nowUs: number): void {
    this.#busyUntilUs = nowUs + BMP280_STARTUP_US;
    this.#pointer = 0;
    this.#ctrlMeas = 0;
    this.#config = 0;
    this.#adcT = BMP280_SKIPPED;
    this.#adcP = BMP280_SKIPPED;
    this.#iir = null;
    this.#forcedEndUs = null;
    this.#normal = null;
  }
}

/** A 20-bit reading at `bits` resolution: the unused low bits read as zero (§3.3.1). */
function quantise(raw: number, bits: number): number {
  const step = 1 << (20 - bits);
  return Math.min(0x100000 - step, Math.max(0, Math.round(raw / step) * step));
}

/** §4.3.6–4.3.7: msb = [19:12], lsb = [11:4], xlsb[7:4] = [3:0]. */
function adcByte(adc: number, index: number): number {
  return index === 0 ? (adc >> 12) & 0xff : index === 1 ? (adc >> 4) & 0xff : (adc & 0xf) << 4;
}
