import { resolve } from 'node:path';
import { Atecc608b } from '../../hardware/atecc608b/index.js';
import { I2cBus, VirtualBusClock } from '../../hardware/i2c/index.js';
import { Atecc608Driver } from '../../device/drivers/atecc608.js';
import { InvalidArgumentError } from 'commander';
import type { CliIo } from '../io.js';

/** A part loaded from its image, on a bus of its own, with the host driver that talks to it. */
export interface OpenPart {
  readonly path: string;
  readonly part: Atecc608b;
  readonly bus: I2cBus;
  readonly driver: Atecc608Driver;
  /** Write the image back, atomically, 0600 (it holds private keys). */
  save(): void;
}

/**
 * Every verb works like a host on the part's I2C bus: the same driver the firmware uses, the
 * same commands, so the policy that answers is the chip's. Time is virtual (no waiting) and
 * the part keeps its typical execution times.
 */
export function openPart(file: string, io: CliIo): OpenPart {
  const path = resolve(io.cwd, file);
  const part = Atecc608b.load(path, { timing: 'typical' });
  const bus = new I2cBus({ clock: new VirtualBusClock(1_000) });
  bus.attach(part.i2cAddress, part);
  const driver = new Atecc608Driver(bus, part.i2cAddress);
  return { path, part, bus, driver, save: () => part.save(path, { overwrite: true }) };
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export function slotOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 15) throw new InvalidArgumentError(`slot must be 0–15, got "${value}"`);
  return n;
}
