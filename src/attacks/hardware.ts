/**
 * The attacks on the device itself — its flash, its I2C bus, its secure element, its RAM — in
 * the order a run should take them: the boot trace is read before any attacker has put traffic
 * of their own on the bus, and the attacks that boot extra devices come last.
 */
import { flashDump } from './flash-dump.js';
import { i2cOverwriteSlot8 } from './i2c-overwrite.js';
import { i2cReadSlot8 } from './i2c-read.js';
import { i2cSniffBoot } from './i2c-sniff.js';
import { ramKeyAfterBoot } from './ram.js';
import { secureElement } from './secure-element.js';
import type { Attack } from './target.js';

export { flashDump, i2cOverwriteSlot8, i2cReadSlot8, i2cSniffBoot, ramKeyAfterBoot, secureElement };

export const HARDWARE_ATTACKS: readonly Attack[] = Object.freeze([
  i2cSniffBoot,
  ramKeyAfterBoot,
  flashDump,
  i2cReadSlot8,
  i2cOverwriteSlot8,
  secureElement,
]);
