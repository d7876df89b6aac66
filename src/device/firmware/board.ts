import type { Atecc608b } from '../../hardware/atecc608b/index.js';
import { type AmbientSource, createEnv2Unit } from '../../hardware/env2/index.js';
import { type BusClock, I2cBus, I2cTap } from '../../hardware/i2c/index.js';

/** The ENV II unit's addresses on Port A. */
export const SHT30_ADDRESS = 0x44;
export const BMP280_ADDRESS = 0x76;

export interface BoardOptions {
  /** The 4 MiB flash image (see flash.ts). */
  readonly flash: Uint8Array;
  /** The secure element on Port A, if one is plugged in (Steps 3–4). */
  readonly secureElement?: Atecc608b;
  /** The ENV II unit's surroundings, if one is plugged in (the M5Go publisher). */
  readonly environment?: AmbientSource;
  /** Bus time: virtual in tests, real when the device runs against live sockets. */
  readonly clock?: BusClock;
}

/**
 * An M5Go / M5Stack: the ESP32's flash and its I2C bus on Port A with whatever is plugged in.
 * The tap is attached from power-up, so a logic analyser sees the boot.
 */
export class Board {
  readonly flash: Uint8Array;
  readonly bus: I2cBus;
  readonly tap: I2cTap;
  readonly secureElement: Atecc608b | undefined;

  constructor(options: BoardOptions) {
    this.flash = options.flash;
    this.bus = new I2cBus(options.clock === undefined ? {} : { clock: options.clock });
    this.tap = new I2cTap(this.bus);
    this.secureElement = options.secureElement;
    if (options.secureElement !== undefined) {
      // Plugged into this board: it powers up with the board, asleep, whatever it did before.
      options.secureElement.powerCycle();
      this.bus.attach(options.secureElement.i2cAddress, options.secureElement);
    }
    if (options.environment !== undefined) {
      const unit = createEnv2Unit({ environment: options.environment, poweredAtUs: this.bus.nowUs() });
      this.bus.attach(SHT30_ADDRESS, unit.sht30);
      this.bus.attach(BMP280_ADDRESS, unit.bmp280);
    }
  }
}
