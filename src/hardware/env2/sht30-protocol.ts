/**
 * The SHT30's command set, CRC and unit conversions (Sensirion, Datasheet SHT3x-DIS, v5 May 2018;
 * alert limits: application note "Alert Mode of SHT3x-DIS", May 2015). Pure functions and tables:
 * the emulated part (sht30.ts) and a firmware driver use the same definitions.
 */

/** ENV II ties the SHT30's ADDR pin low, which selects 0x44 (SHT3x-DIS §3, I2C address table). */
export const SHT30_ADDRESS = 0x44;

export type Repeatability = 'high' | 'medium' | 'low';
export type AlertLimit = 'highSet' | 'highClear' | 'lowClear' | 'lowSet';

/** One row of the command table (SHT3x-DIS Tables 9–19; alert note Table 2). */
export type Sht30Command =
  | { readonly kind: 'single-shot'; readonly repeatability: Repeatability; readonly clockStretching: boolean }
  | {
      readonly kind: 'periodic';
      readonly repeatability: Repeatability;
      readonly mps: number;
      readonly art: boolean;
    }
  | { readonly kind: 'fetch' }
  | { readonly kind: 'break' }
  | { readonly kind: 'soft-reset' }
  | { readonly kind: 'heater'; readonly on: boolean }
  | { readonly kind: 'read-status' }
  | { readonly kind: 'clear-status' }
  | { readonly kind: 'read-alert-limit'; readonly limit: AlertLimit }
  | { readonly kind: 'write-alert-limit'; readonly limit: AlertLimit };

const REPEATABILITIES: readonly Repeatability[] = ['high', 'medium', 'low'];

function periodic(mps: number, codes: readonly number[]): [number, Sht30Command][] {
  return codes.map((code, i) => [
    code,
    { kind: 'periodic', repeatability: REPEATABILITIES[i]!, mps, art: false },
  ]);
}

export const SHT30_COMMANDS: ReadonlyMap<number, Sht30Command> = new Map<number, Sht30Command>([
  // SHT3x-DIS §4.3 Table 9: single shot, clock stretching enabled (0x2C..) / disabled (0x24..)
  [0x2c06, { kind: 'single-shot', repeatability: 'high', clockStretching: true }],
  [0x2c0d, { kind: 'single-shot', repeatability: 'medium', clockStretching: true }],
  [0x2c10, { kind: 'single-shot', repeatability: 'low', clockStretching: true }],
  [0x2400, { kind: 'single-shot', repeatability: 'high', clockStretching: false }],
  [0x240b, { kind: 'single-shot', repeatability: 'medium', clockStretching: false }],
  [0x2416, { kind: 'single-shot', repeatability: 'low', clockStretching: false }],
  // SHT3x-DIS §4.5 Table 10: periodic acquisition, 0.5 / 1 / 2 / 4 / 10 measurements per second
  ...periodic(0.5, [0x2032, 0x2024, 0x202f]),
  ...periodic(1, [0x2130, 0x2126, 0x212d]),
  ...periodic(2, [0x2236, 0x2220, 0x222b]),
  ...periodic(4, [0x2334, 0x2322, 0x2329]),
  ...periodic(10, [0x2737, 0x2721, 0x272a]),
  // SHT3x-DIS §4.7 Table 12: ART, periodic at 4 Hz
  [0x2b32, { kind: 'periodic', repeatability: 'high', mps: 4, art: true }],
  [0xe000, { kind: 'fetch' }], // §4.6 Table 11
  [0x3093, { kind: 'break' }], // §4.8 Table 13
  [0x30a2, { kind: 'soft-reset' }], // §4.9 Table 14
  [0x306d, { kind: 'heater', on: true }], // §4.10 Table 16
  [0x3066, { kind: 'heater', on: false }],
  [0xf32d, { kind: 'read-status' }], // §4.11 Table 17
  [0x3041, { kind: 'clear-status' }], // §4.11 Table 19
  // Alert mode note Table 2: limits are read with 0xE1xx and written with 0x61xx
  [0xe11f, { kind: 'read-alert-limit', limit: 'highSet' }],
  [0xe114, { kind: 'read-alert-limit', limit: 'highClear' }],
  [0xe109, { kind: 'read-alert-limit', limit: 'lowClear' }],
  [0xe102, { kind: 'read-alert-limit', limit: 'lowSet' }],
  [0x611d, { kind: 'write-alert-limit', limit: 'highSet' }],
  [0x6116, { kind: 'write-alert-limit', limit: 'highClear' }],
  [0x610b, { kind: 'write-alert-limit', limit: 'lowClear' }],
  [0x6100, { kind: 'write-alert-limit', limit: 'lowSet' }],
]);

/** SHT3x-DIS Table 4, maximum values: what a driver must wait before reading. */
export const SHT30_TIMING_US = Object.freeze({
  powerUp: 1_000,
  softReset: 1_500,
  measurement: Object.freeze({ high: 15_000, medium: 6_000, low: 4_000 } as Record<Repeatability, number>),
});

/**
 * Repeatability of the SHT30 (SHT3x-DIS Tables 1–2), stated as 3σ of consecutive measurements:
 * the emulated noise uses σ = figure / 3.
 */
export const SHT30_REPEATABILITY = Object.freeze({
  relativeHumidityPct: Object.freeze({ high: 0.08, medium: 0.15, low: 0.21 } as Record<
    Repeatability,
    number
  >),
  temperatureC: Object.freeze({ high: 0.04, medium: 0.08, low: 0.15 } as Record<Repeatability, number>),
});

/** SHT3x-DIS §4.11 Table 18: status register bits. */
export const SHT30_STATUS = Object.freeze({
  alertPending: 1 << 15,
  heaterOn: 1 << 13,
  rhTrackingAlert: 1 << 11,
  tTrackingAlert: 1 << 10,
  resetDetected: 1 << 4,
  commandFailed: 1 << 1,
  writeChecksumFailed: 1 << 0,
});
/** Table 18 defaults: alert pending and reset detected are set after power-up or reset. */
export const SHT30_STATUS_AFTER_RESET = SHT30_STATUS.alertPending | SHT30_STATUS.resetDetected;
/** §4.11 Table 19: clear status resets these flags only. */
export const SHT30_STATUS_CLEARABLE =
  SHT30_STATUS.alertPending |
  SHT30_STATUS.rhTrackingAlert |
  SHT30_STATUS.tTrackingAlert |
  SHT30_STATUS.resetDetected;

// SHT3x-DIS §4.12 Table 20: CRC-8, polynomial 0x31 (x^8 + x^5 + x^4 + 1), init 0xFF,
// no reflection, no final XOR; example CRC(0xBEEF) = 0x92.
export function sht30Crc8(data: ArrayLike<number>): number {
  let crc = 0xff;
  for (let i = 0; i < data.length; i++) {
    crc ^= data[i]! & 0xff;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x31) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/** A 16-bit word as the sensor sends it: MSB, LSB, CRC-8 of the two (§4.12). */
export function encodeWord(word: number): [number, number, number] {
  const msb = (word >> 8) & 0xff;
  const lsb = word & 0xff;
  return [msb, lsb, sht30Crc8([msb, lsb])];
}

// SHT3x-DIS §4.13: T[°C] = -45 + 175 · S_T / (2^16 - 1); RH[%] = 100 · S_RH / (2^16 - 1).
export function rawToCelsius(raw: number): number {
  return -45 + (175 * raw) / 65535;
}
export function rawToRelativeHumidity(raw: number): number {
  return (100 * raw) / 65535;
}
/** Inverse of §4.13, rounded to the nearest code and clamped to the 16-bit range. */
export function celsiusToRaw(temperatureC: number): number {
  return clamp16(Math.round(((temperatureC + 45) * 65535) / 175));
}
export function relativeHumidityToRaw(relativeHumidityPct: number): number {
  return clamp16(Math.round((relativeHumidityPct * 65535) / 100));
}

/**
 * Alert note §2.1: a limit keeps the 7 MSBs of S_RH and the 9 MSBs of S_T,
 * packed as RH[15:9] ‖ T[15:7].
 */
export function encodeAlertLimit(relativeHumidityPct: number, temperatureC: number): number {
  return (relativeHumidityToRaw(relativeHumidityPct) & 0xfe00) | (celsiusToRaw(temperatureC) >> 7);
}
export function decodeAlertLimit(word: number): { relativeHumidityPct: number; temperatureC: number } {
  return {
    relativeHumidityPct: rawToRelativeHumidity(word & 0xfe00),
    temperatureC: rawToCelsius((word & 0x1ff) << 7),
  };
}

/** Alert note: the factory limits (set 80 %RH / 60 °C high, 20 %RH / -10 °C low), restored by a reset. */
export const SHT30_DEFAULT_ALERT_LIMITS: Readonly<Record<AlertLimit, number>> = Object.freeze({
  highSet: encodeAlertLimit(80, 60),
  highClear: encodeAlertLimit(79, 58),
  lowClear: encodeAlertLimit(22, -9),
  lowSet: encodeAlertLimit(20, -10),
});

function clamp16(v: number): number {
  return Math.min(0xffff, Math.max(0, v));
}
