export { Bmp280, type Bmp280Options } from './bmp280.js';
export {
  BMP280_DATASHEET_CALIBRATION,
  type Bmp280Calibration,
  compensatePressureDouble,
  compensatePressureInt32,
  compensatePressureInt64,
  compensateTemperatureDouble,
  compensateTemperatureInt32,
  decodeCalibration,
  encodeCalibration,
  pressureToAdc,
  temperatureToAdc,
} from './bmp280-compensation.js';
export {
  BMP280_ADDRESS,
  BMP280_CHIP_ID,
  BMP280_REG,
  BMP280_RESET_WORD,
  BMP280_SKIPPED,
  BMP280_STATUS,
  type Bmp280Mode,
  measurementUs,
} from './bmp280-registers.js';
export { createEnv2Unit, type Env2Unit, type Env2UnitOptions } from './env2-unit.js';
export {
  type AmbientConditions,
  type AmbientSource,
  Environment,
  type EnvironmentOptions,
} from './environment.js';
export { Sht30, type Sht30Options } from './sht30.js';
export {
  type AlertLimit,
  celsiusToRaw,
  decodeAlertLimit,
  encodeAlertLimit,
  rawToCelsius,
  rawToRelativeHumidity,
  relativeHumidityToRaw,
  type Repeatability,
  SHT30_ADDRESS,
  SHT30_COMMANDS,
  SHT30_STATUS,
  SHT30_TIMING_US,
  type Sht30Command,
  sht30Crc8,
} from './sht30-protocol.js';
