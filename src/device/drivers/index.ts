export {
  BMP280_DEFAULT_ADDRESS,
  Bmp280Driver,
  type Bmp280DriverOptions,
  type Bmp280Measurement,
} from './bmp280.js';
export {
  type Bmp280Trimming,
  compensatePressureDouble,
  compensatePressureQ24_8,
  compensateTemperature,
  compensateTemperatureDouble,
  type CompensatedTemperature,
  decodeTrimming,
} from './bmp280-compensation.js';
export {
  SHT30_DEFAULT_ADDRESS,
  sht30Celsius,
  sht30Crc8,
  Sht30Driver,
  type Sht30DriverOptions,
  type Sht30Measurement,
  sht30RelativeHumidity,
  type Sht30Repeatability,
  type Sht30Status,
} from './sht30.js';
