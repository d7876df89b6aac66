/**
 * The firmware's own copy of the BMP280 trimming readout and compensation formulas (Bosch
 * BST-BMP280-DS001, rev. 1.14). Written from the datasheet independently of the emulator's
 * inverse model, so that a reading which comes out right is evidence both are right.
 *
 * The integer formulas run on BigInt with an explicit wrap after each C operation
 * (BMP280_S32_t, BMP280_S64_t), so they behave as the datasheet's C code compiled for the ESP32.
 */

/** §3.11.2 Table 17: dig_T1 and dig_P1 are unsigned short, the others signed short. */
export interface Bmp280Trimming {
  readonly digT1: number;
  readonly digT2: number;
  readonly digT3: number;
  readonly digP1: number;
  readonly digP2: number;
  readonly digP3: number;
  readonly digP4: number;
  readonly digP5: number;
  readonly digP6: number;
  readonly digP7: number;
  readonly digP8: number;
  readonly digP9: number;
}

/** Bytes 0x88…0x9F: twelve little-endian words. */
export const TRIMMING_BYTES = 24;

// §3.11.2 Table 17: calib00…calib23 hold dig_T1…dig_P9, LSB first.
export function decodeTrimming(bytes: Uint8Array): Bmp280Trimming {
  if (bytes.length < TRIMMING_BYTES) {
    throw new RangeError(`BMP280 trimming needs ${TRIMMING_BYTES} bytes, got ${bytes.length}`);
  }
  const u16 = (i: number) => bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
  const s16 = (i: number) => (u16(i) ^ 0x8000) - 0x8000;
  return Object.freeze({
    digT1: u16(0),
    digT2: s16(1),
    digT3: s16(2),
    digP1: u16(3),
    digP2: s16(4),
    digP3: s16(5),
    digP4: s16(6),
    digP5: s16(7),
    digP6: s16(8),
    digP7: s16(9),
    digP8: s16(10),
    digP9: s16(11),
  });
}

const s32 = (v: bigint): bigint => BigInt.asIntN(32, v);
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** `bmp280_compensate_T_int32`: 0.01 °C units (2508 = 25.08 °C) and t_fine for the pressure. */
export interface CompensatedTemperature {
  readonly centiCelsius: number;
  readonly tFine: number;
}

// §3.11.3, bmp280_compensate_T_int32.
export function compensateTemperature(adcT: number, trim: Bmp280Trimming): CompensatedTemperature {
  const adc = BigInt(adcT);
  const t1 = BigInt(trim.digT1);
  const t2 = BigInt(trim.digT2);
  const t3 = BigInt(trim.digT3);
  const var1 = s32(s32((adc >> 3n) - (t1 << 1n)) * t2) >> 11n;
  const d = s32((adc >> 4n) - t1);
  const var2 = s32(s32(s32(d * d) >> 12n) * t3) >> 14n;
  const tFine = s32(var1 + var2);
  return { centiCelsius: Number(s32(tFine * 5n + 128n) >> 8n), tFine: Number(tFine) };
}

// §3.11.3, bmp280_compensate_P_int64: Pa in Q24.8 (24674867 = 24674867/256 Pa); 0 when the
// trimming would divide by zero (the datasheet's own guard).
export function compensatePressureQ24_8(adcP: number, tFine: number, trim: Bmp280Trimming): number {
  const p1 = BigInt(trim.digP1);
  const [p2, p3, p4, p5, p6, p7, p8, p9] = [
    trim.digP2,
    trim.digP3,
    trim.digP4,
    trim.digP5,
    trim.digP6,
    trim.digP7,
    trim.digP8,
    trim.digP9,
  ].map(BigInt) as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  let var1 = s64(BigInt(tFine) - 128000n);
  let var2 = s64(s64(var1 * var1) * p6);
  var2 = s64(var2 + s64(s64(var1 * p5) << 17n));
  var2 = s64(var2 + s64(p4 << 35n));
  var1 = s64((s64(s64(var1 * var1) * p3) >> 8n) + s64(s64(var1 * p2) << 12n));
  var1 = s64(s64((1n << 47n) + var1) * p1) >> 33n;
  if (var1 === 0n) return 0;
  let p = s64(1048576n - BigInt(adcP));
  p = s64(s64(s64(p << 31n) - var2) * 3125n) / var1; // C and BigInt division both truncate
  var1 = s64(s64(p9 * (p >> 13n)) * (p >> 13n)) >> 25n;
  var2 = s64(p8 * p) >> 19n;
  p = s64(s64(p + var1 + var2) >> 8n) + (p7 << 4n);
  return Number(BigInt.asUintN(32, p));
}

/** Appendix §8.1 temperature: °C, and t_fine unrounded (the C code truncates it to an integer). */
export function compensateTemperatureDouble(
  adcT: number,
  trim: Bmp280Trimming,
): { temperatureC: number; fineTemperature: number } {
  const x1 = adcT / 16384 - trim.digT1 / 1024;
  const x2 = adcT / 131072 - trim.digT1 / 8192;
  const fine = x1 * trim.digT2 + x2 * x2 * trim.digT3;
  return { temperatureC: fine / 5120, fineTemperature: fine };
}

// Appendix §8.1 pressure, Pa.
export function compensatePressureDouble(adcP: number, tFine: number, trim: Bmp280Trimming): number {
  const v = tFine / 2 - 64000;
  let var2 = (v * v * trim.digP6) / 32768 + v * trim.digP5 * 2;
  var2 = var2 / 4 + trim.digP4 * 65536;
  let var1 = ((trim.digP3 * v * v) / 524288 + trim.digP2 * v) / 524288;
  var1 = (1 + var1 / 32768) * trim.digP1;
  if (var1 === 0) return 0;
  let p = 1048576 - adcP;
  p = ((p - var2 / 4096) * 6250) / var1;
  return p + ((trim.digP9 * p * p) / 2147483648 + (p * trim.digP8) / 32768 + trim.digP7) / 16;
}
