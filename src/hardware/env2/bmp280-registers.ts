/**
 * BMP280 memory map and control-register fields (Bosch BST-BMP280-DS001 §4), shared by the
 * emulated part and a firmware driver.
 */

/** ENV II ties SDO to GND, which selects 0x76 (§5.2). */
export const BMP280_ADDRESS = 0x76;

/** §4.2, memory map. */
export const BMP280_REG = Object.freeze({
  calib00: 0x88, // 0x88…0xA1, dig_T1…dig_P9 then two reserved bytes (§3.11.2)
  id: 0xd0,
  reset: 0xe0,
  status: 0xf3,
  ctrlMeas: 0xf4,
  config: 0xf5,
  pressMsb: 0xf7, // 0xF7…0xF9 press_msb, press_lsb, press_xlsb[7:4]
  tempMsb: 0xfa, // 0xFA…0xFC temp_msb, temp_lsb, temp_xlsb[7:4]
});

/** §4.3.1: chip_id of a BMP280 (a BME280 says 0x60). */
export const BMP280_CHIP_ID = 0x58;
/** §4.3.2: only this value written to `reset` triggers the power-on-reset procedure. */
export const BMP280_RESET_WORD = 0xb6;
/** §3.11.1 / §4.3.6–4.3.7: the output registers' reset value, also what a skipped measurement reads. */
export const BMP280_SKIPPED = 0x80000;

/** §4.3.3: status bits. */
export const BMP280_STATUS = Object.freeze({ measuring: 1 << 3, imUpdate: 1 << 0 });

export type Bmp280Mode = 'sleep' | 'forced' | 'normal';

/** §3.6 / §4.3.4: mode[1:0] of ctrl_meas; 01 and 10 both mean forced. */
export function modeOf(ctrlMeas: number): Bmp280Mode {
  const bits = ctrlMeas & 0b11;
  return bits === 0 ? 'sleep' : bits === 0b11 ? 'normal' : 'forced';
}

/** §4.3.4: osrs_t/osrs_p code → oversampling factor (0 = measurement skipped). */
export function oversampling(code: number): number {
  return [0, 1, 2, 4, 8, 16, 16, 16][code & 0b111]!;
}

/** §3.3.1–3.3.2: ADC resolution is 20 bit with the IIR filter, else 16 + (osrs − 1) bit. */
export function resolutionBits(osrsCode: number, filterOn: boolean): number {
  return filterOn ? 20 : 15 + Math.min(osrsCode & 0b111, 5);
}

/** §3.3.3 / §4.3.5: filter[2:0] of config → IIR coefficient (1 = off). */
export function filterCoefficient(config: number): number {
  return [1, 2, 4, 8, 16, 16, 16, 16][(config >> 2) & 0b111]!;
}

/** §3.6.3 / §4.3.5: t_sb[2:0] of config → standby time between normal-mode measurements. */
export function standbyUs(config: number): number {
  return [500, 62_500, 125_000, 250_000, 500_000, 1_000_000, 2_000_000, 4_000_000][(config >> 5) & 0b111]!;
}

/**
 * §3.8.1 Table 13, maximum measurement time: 1.25 ms + 2.3 ms per temperature sample
 * + (2.3 ms per pressure sample + 0.575 ms when pressure is measured).
 */
export function measurementUs(ctrlMeas: number): number {
  const t = oversampling(ctrlMeas >> 5);
  const p = oversampling(ctrlMeas >> 2);
  return 1250 + 2300 * t + (p === 0 ? 0 : 2300 * p + 575);
}

/** §1, electrical specification: start-up time before the first communication after power-on or a reset. */
export const BMP280_STARTUP_US = 2000;
