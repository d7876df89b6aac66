import type { Bmp280Calibration } from './bmp280-compensation.js';
import { Bmp280 } from './bmp280.js';
import type { AmbientSource } from './environment.js';
import { Sht30 } from './sht30.js';

export interface Env2UnitOptions {
  /** The room both sensors sit in. */
  readonly environment: AmbientSource;
  readonly bmp280Calibration?: Bmp280Calibration;
  /** Bus time at which the unit gets power (plugged into Port A). */
  readonly poweredAtUs?: number;
}

/** The M5Stack ENV II unit: an SHT30 (0x44) and a BMP280 (0x76) on one Grove I2C cable. */
export interface Env2Unit {
  readonly sht30: Sht30;
  readonly bmp280: Bmp280;
}

export function createEnv2Unit(options: Env2UnitOptions): Env2Unit {
  const poweredAtUs = options.poweredAtUs ?? 0;
  return {
    sht30: new Sht30({ environment: options.environment, poweredAtUs }),
    bmp280: new Bmp280({
      environment: options.environment,
      poweredAtUs,
      ...(options.bmp280Calibration ? { calibration: options.bmp280Calibration } : {}),
    }),
  };
}
