/**
 * An independent judge for the driver's integer compensation: the BMP280 datasheet's own C
 * functions (§3.11.3, bmp280_compensate_T_int32 and bmp280_compensate_P_int64), compiled by the
 * system's C compiler with the datasheet's types mapped to <stdint.h> and `-fwrapv`, so a signed
 * overflow wraps as it does on the ESP32's compiler in practice instead of being undefined.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bmp280Trimming } from './bmp280-compensation.js';

const SOURCE = String.raw`
#include <stdint.h>
#include <stdio.h>
typedef int32_t BMP280_S32_t;
typedef uint32_t BMP280_U32_t;
typedef int64_t BMP280_S64_t;
static unsigned short dig_T1, dig_P1;
static short dig_T2, dig_T3, dig_P2, dig_P3, dig_P4, dig_P5, dig_P6, dig_P7, dig_P8, dig_P9;
static BMP280_S32_t t_fine;

BMP280_S32_t bmp280_compensate_T_int32(BMP280_S32_t adc_T) {
  BMP280_S32_t var1, var2, T;
  var1 = ((((adc_T>>3) - ((BMP280_S32_t)dig_T1<<1))) * ((BMP280_S32_t)dig_T2)) >> 11;
  var2 = (((((adc_T>>4) - ((BMP280_S32_t)dig_T1)) * ((adc_T>>4) - ((BMP280_S32_t)dig_T1))) >> 12) *
    ((BMP280_S32_t)dig_T3)) >> 14;
  t_fine = var1 + var2;
  T = (t_fine * 5 + 128) >> 8;
  return T;
}

BMP280_U32_t bmp280_compensate_P_int64(BMP280_S32_t adc_P) {
  BMP280_S64_t var1, var2, p;
  var1 = ((BMP280_S64_t)t_fine) - 128000;
  var2 = var1 * var1 * (BMP280_S64_t)dig_P6;
  var2 = var2 + ((var1*(BMP280_S64_t)dig_P5)<<17);
  var2 = var2 + (((BMP280_S64_t)dig_P4)<<35);
  var1 = ((var1 * var1 * (BMP280_S64_t)dig_P3)>>8) + ((var1 * (BMP280_S64_t)dig_P2)<<12);
  var1 = (((((BMP280_S64_t)1)<<47)+var1))*((BMP280_S64_t)dig_P1)>>33;
  if (var1 == 0) return 0;
  p = 1048576-adc_P;
  p = (((p<<31)-var2)*3125)/var1;
  var1 = (((BMP280_S64_t)dig_P9) * (p>>13) * (p>>13)) >> 25;
  var2 = (((BMP280_S64_t)dig_P8) * p) >> 19;
  p = ((p + var1 + var2) >> 8) + (((BMP280_S64_t)dig_P7)<<4);
  return (BMP280_U32_t)p;
}

int main(void) {
  int v[14];
  while (scanf("%d %d %d %d %d %d %d %d %d %d %d %d %d %d",
               &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11],
               &v[12], &v[13]) == 14) {
    dig_T1 = v[0]; dig_T2 = v[1]; dig_T3 = v[2]; dig_P1 = v[3]; dig_P2 = v[4]; dig_P3 = v[5];
    dig_P4 = v[6]; dig_P5 = v[7]; dig_P6 = v[8]; dig_P7 = v[9]; dig_P8 = v[10]; dig_P9 = v[11];
    BMP280_S32_t T = bmp280_compensate_T_int32(v[12]);
    printf("%d %d %u\n", T, t_fine, bmp280_compensate_P_int64(v[13]));
  }
  return 0;
}
`;

export interface OracleCase {
  readonly trimming: Bmp280Trimming;
  readonly adcT: number;
  readonly adcP: number;
}

/**
 * [T in 0.01 °C, t_fine, P in Q24.8] per case, from the compiled datasheet code; undefined when no
 * C compiler is installed.
 */
export function runDatasheetC(cases: readonly OracleCase[]): [number, number, number][] | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'bmp280-oracle-'));
  try {
    writeFileSync(join(dir, 'bmp280.c'), SOURCE);
    const exe = join(dir, 'bmp280');
    const cc = spawnSync('cc', ['-O0', '-fwrapv', '-o', exe, join(dir, 'bmp280.c')], { encoding: 'utf8' });
    if (cc.error !== undefined) return undefined;
    if (cc.status !== 0) throw new Error(`cc failed: ${cc.stderr}`);
    const input = cases.map(({ trimming: t, adcT, adcP }) =>
      [...TRIMMING_ORDER.map((k) => t[k]), adcT, adcP].join(' '),
    );
    const out = spawnSync(exe, { input: input.join('\n'), encoding: 'utf8', maxBuffer: 1 << 24 });
    if (out.status !== 0) throw new Error(`oracle failed: ${out.stderr}`);
    return out.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(' ').map(Number) as [number, number, number]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const TRIMMING_ORDER = [
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
] as const satisfies readonly (keyof Bmp280Trimming)[];
