/**
 * Test fixtures for the sensor drivers: an ENV II unit on an emulated bus with a tap, in a seeded
 * room, and a bare register file for parts the emulator does not offer (a BME280, a blank part).
 */
import { SeededRng } from '../../core/rng.js';
import { type Bmp280Calibration, createEnv2Unit, Environment } from '../../hardware/env2/index.js';
import { I2cBus, I2cTap, type I2cTarget, VirtualBusClock } from '../../hardware/i2c/index.js';

/** Past both parts' power-up (SHT30 tPU 1 ms, BMP280 start-up 2 ms). */
export const AFTER_POWER_UP_US = 5_000;

export const DATASHEET_TOLERANCE = {
  // SHT3x-DIS §2, SHT30 typical accuracy.
  temperatureC: 0.2,
  relativeHumidityPct: 2,
  // BMP280 datasheet, key parameters: absolute accuracy typ. ±1 hPa, temperature ±1 °C (0…65 °C).
  pressureHpa: 1,
  bmpTemperatureC: 1,
} as const;

export function env2Rig(seed = 'device-sensors', calibration?: Bmp280Calibration) {
  const clock = new VirtualBusClock();
  const bus = new I2cBus({ clock });
  const tap = new I2cTap(bus);
  const room = new Environment({ rng: new SeededRng(seed) });
  const unit = createEnv2Unit({
    environment: room,
    ...(calibration ? { bmp280Calibration: calibration } : {}),
  });
  bus.attach(unit.sht30.address, unit.sht30);
  bus.attach(unit.bmp280.address, unit.bmp280);
  clock.advance(AFTER_POWER_UP_US);
  return { clock, bus, tap, room, unit };
}

/**
 * A part with a 256-byte register map and the BMP280's I2C protocol (§5.2): a write sets the
 * pointer then stores (register, value) pairs, a read bursts from the pointer.
 */
export class RegisterFile implements I2cTarget {
  readonly registers = new Uint8Array(256);
  #pointer = 0;

  write(data: Uint8Array): boolean {
    for (let i = 0; i + 1 < data.length; i += 2) this.registers[data[i]!] = data[i + 1]!;
    if (data.length > 0) this.#pointer = data[data.length % 2 === 1 ? data.length - 1 : data.length - 2]!;
    return true;
  }

  read(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let k = 0; k < length; k++) out[k] = this.registers[(this.#pointer + k) & 0xff]!;
    return out;
  }

  set(register: number, bytes: ArrayLike<number>): this {
    this.registers.set(Array.from(bytes), register);
    return this;
  }
}
