/**
 * BMP280 trimming parameters and compensation formulas (Bosch Sensortec, BMP280 datasheet
 * BST-BMP280-DS001): the three versions the datasheet gives, transcribed with C integer
 * semantics, plus their inverse, which the emulated part uses to turn the room's °C and Pa into
 * the raw 20-bit ADC values a firmware reads and compensates back.
 */

/** §3.11.2: dig_T1 and dig_P1 are unsigned short, the others signed short. */
export interface Bmp280Calibration {
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

const FIELDS = [
  'digT1',
  'digT2',
  'digT3',
  'digP1',
  'digP2',
  'digP3',
  'digP4',
  'digP5',
  'digP6',
  'digP7',
  'digP8',
  'digP9',
] as const satisfies readonly (keyof Bmp280Calibration)[];
const UNSIGNED = new Set<keyof Bmp280Calibration>(['digT1', 'digP1']);

/** §3.12: the trimming values of the datasheet's worked example. */
export const BMP280_DATASHEET_CALIBRATION: Bmp280Calibration = Object.freeze({
  digT1: 27504,
  digT2: 26435,
  digT3: -1000,
  digP1: 36477,
  digP2: -10685,
  digP3: 3024,
  digP4: 2855,
  digP5: 140,
  digP6: -7,
  digP7: 15500,
  digP8: -14600,
  digP9: 6000,
});

/** Registers 0x88–0x9F, little-endian words in §3.11.2 order (0xA0–0xA1 are reserved). */
export function encodeCalibration(cal: Bmp280Calibration): Uint8Array {
  assertCalibration(cal);
  const out = new Uint8Array(24);
  const view = new DataView(out.buffer);
  FIELDS.forEach((f, i) =>
    UNSIGNED.has(f) ? view.setUint16(2 * i, cal[f], true) : view.setInt16(2 * i, cal[f], true),
  );
  return out;
}

/** What a driver does after burst-reading 0x88–0x9F. */
export function decodeCalibration(bytes: Uint8Array): Bmp280Calibration {
  if (bytes.length < 24) throw new RangeError(`BMP280 calibration needs 24 bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 24);
  const entries = FIELDS.map((f, i) => [
    f,
    UNSIGNED.has(f) ? view.getUint16(2 * i, true) : view.getInt16(2 * i, true),
  ]);
  return Object.freeze(Object.fromEntries(entries)) as Bmp280Calibration;
}

export function assertCalibration(cal: Bmp280Calibration): void {
  for (const f of FIELDS) {
    const v = cal[f];
    const [lo, hi] = UNSIGNED.has(f) ? [0, 0xffff] : [-0x8000, 0x7fff];
    if (!Number.isInteger(v) || v < lo || v > hi)
      throw new RangeError(`BMP280 calibration ${f} = ${v} is not in ${lo}…${hi}`);
  }
}

// §3.11.3, 32-bit integer temperature: returns 0.01 °C units ("5123" = 51.23 °C) and t_fine.
export function compensateTemperatureInt32(
  adcT: number,
  cal: Bmp280Calibration,
): { centiCelsius: number; tFine: number } {
  const var1 = Math.imul((adcT >> 3) - (cal.digT1 << 1), cal.digT2) >> 11;
  const d = (adcT >> 4) - cal.digT1;
  const var2 = Math.imul(Math.imul(d, d) >> 12, cal.digT3) >> 14;
  const tFine = (var1 + var2) | 0;
  return { centiCelsius: (Math.imul(tFine, 5) + 128) >> 8, tFine };
}

// §3.11.3, 64-bit integer pressure: Pa in Q24.8 ("24674867" = 24674867/256 = 96386.2 Pa).
export function compensatePressureInt64(adcP: number, tFine: number, cal: Bmp280Calibration): number {
  const P = (k: keyof Bmp280Calibration) => BigInt(cal[k]);
  let var1 = BigInt(tFine) - 128000n;
  let var2 = var1 * var1 * P('digP6');
  var2 = var2 + ((var1 * P('digP5')) << 17n);
  var2 = var2 + (P('digP4') << 35n);
  var1 = ((var1 * var1 * P('digP3')) >> 8n) + ((var1 * P('digP2')) << 12n);
  var1 = (((1n << 47n) + var1) * P('digP1')) >> 33n;
  if (var1 === 0n) return 0; // the datasheet's guard against division by zero
  let p = 1048576n - BigInt(adcP);
  p = (((p << 31n) - var2) * 3125n) / var1; // C division truncates, as BigInt's does
  var1 = (P('digP9') * (p >> 13n) * (p >> 13n)) >> 25n;
  var2 = (P('digP8') * p) >> 19n;
  p = ((p + var1 + var2) >> 8n) + (P('digP7') << 4n);
  return Number(BigInt.asUintN(32, p));
}

// Appendix §8.2, 32-bit integer pressure: Pa ("96386" = 963.86 hPa). U32 arithmetic wraps as in C.
export function compensatePressureInt32(adcP: number, tFine: number, cal: Bmp280Calibration): number {
  let var1 = (tFine >> 1) - 64000;
  const q = Math.imul(var1 >> 2, var1 >> 2);
  let var2 = Math.imul(q >> 11, cal.digP6);
  var2 = (var2 + (Math.imul(var1, cal.digP5) << 1)) | 0;
  var2 = ((var2 >> 2) + (cal.digP4 << 16)) | 0;
  var1 = ((Math.imul(cal.digP3, q >> 13) >> 3) + (Math.imul(cal.digP2, var1) >> 1)) >> 18;
  var1 = Math.imul(32768 + var1, cal.digP1) >> 15;
  if (var1 === 0) return 0;
  let p = Math.imul((((1048576 - adcP) >>> 0) - (var2 >> 12)) >>> 0, 3125) >>> 0;
  const divisor = var1 >>> 0;
  p = p < 0x80000000 ? Math.floor(((p << 1) >>> 0) / divisor) : Math.floor(p / divisor) * 2;
  p >>>= 0;
  const p3 = p >>> 3;
  var1 = Math.imul(cal.digP9, (Math.imul(p3, p3) >>> 13) | 0) >> 12;
  var2 = Math.imul((p >>> 2) | 0, cal.digP8) >> 13;
  return ((p | 0) + ((var1 + var2 + cal.digP7) >> 4)) >>> 0;
}

// Appendix §8.1, double precision temperature (°C) and the t_fine it carries to pressure.
export function compensateTemperatureDouble(
  adcT: number,
  cal: Bmp280Calibration,
): { temperatureC: number; tFine: number } {
  const var1 = (adcT / 16384 - cal.digT1 / 1024) * cal.digT2;
  const x = adcT / 131072 - cal.digT1 / 8192;
  const var2 = x * x * cal.digT3;
  return { temperatureC: (var1 + var2) / 5120, tFine: Math.trunc(var1 + var2) };
}

// Appendix §8.1, double precision pressure (Pa).
export function compensatePressureDouble(adcP: number, tFine: number, cal: Bmp280Calibration): number {
  const { divisor, offset } = pressureTerms(tFine, cal);
  if (divisor === 0) return 0;
  const p = ((1048576 - adcP - offset) * 6250) / divisor;
  return p + ((cal.digP9 * p * p) / 2147483648 + (p * cal.digP8) / 32768 + cal.digP7) / 16;
}

/**
 * Inverse of §8.1 temperature. With x = adc_T/16384 − dig_T1/1024 the formula is
 * t_fine = dig_T2·x + dig_T3·x²/64 and T = t_fine/5120: a quadratic in x, solved in the form
 * that stays exact when dig_T3 = 0. Returns the real-valued ADC reading; the part quantises it.
 */
export function temperatureToAdc(temperatureC: number, cal: Bmp280Calibration): number {
  const a = cal.digT3 / 64;
  const b = cal.digT2;
  const target = 5120 * temperatureC;
  const x = (2 * target) / (b + Math.sign(b) * Math.sqrt(b * b + 4 * a * target));
  return (x + cal.digT1 / 1024) * 16384;
}

/**
 * Inverse of §8.1 pressure at a given t_fine. With p' = (1048576 − adc_P − var2/4096)·6250/var1
 * the output is p = p' + (dig_P9·p'²/2^31 + dig_P8·p'/2^15 + dig_P7)/16: a quadratic in p'.
 */
export function pressureToAdc(pressurePa: number, tFine: number, cal: Bmp280Calibration): number {
  const { divisor, offset } = pressureTerms(tFine, cal);
  const a = cal.digP9 / 2147483648 / 16;
  const b = 1 + cal.digP8 / 32768 / 16;
  const c = pressurePa - cal.digP7 / 16;
  const pPrime = (2 * c) / (b + Math.sqrt(b * b + 4 * a * c));
  return 1048576 - offset - (pPrime * divisor) / 6250;
}

/** The t_fine-dependent terms of §8.1's pressure formula (var1 as divisor, var2/4096 as offset). */
function pressureTerms(tFine: number, cal: Bmp280Calibration): { divisor: number; offset: number } {
  const v = tFine / 2 - 64000;
  let var2 = (v * v * cal.digP6) / 32768;
  var2 = var2 + v * cal.digP5 * 2;
  var2 = var2 / 4 + cal.digP4 * 65536;
  let var1 = ((cal.digP3 * v * v) / 524288 + cal.digP2 * v) / 524288;
  var1 = (1 + var1 / 32768) * cal.digP1;
  return { divisor: var1, offset: var2 / 4096 };
}
