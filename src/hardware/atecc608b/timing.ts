import { chipModeOf } from './config.js';
import type { Command } from './commands/index.js';

/**
 * How long the part takes. 'instant': no busy time and no wake delay (fast lab runs).
 * 'max': CryptoAuthLib's maximum execution times at clock divider M0, the TNGTLS setting.
 * 'typical': a modelled figure per command below the maximum (the 608's typical times are in
 * the NDA datasheet only), chosen so a host that waits the delays of the SparkFun library
 * succeeds, while a host that polls still sees the part busy.
 */
export type TimingMode = 'instant' | 'typical' | 'max';
export const TIMING_MODES: readonly TimingMode[] = ['instant', 'typical', 'max'];

/** tWLO: SDA must stay low at least this long to wake the part (reference §3.3). */
export const WAKE_LOW_US = 60;

/**
 * tWHI: after the wake pulse the part answers only after this delay. CryptoAuthLib and SparkFun
 * both wait 1,500 µs; 'typical' assumes the part is ready a little earlier.
 */
export function wakeHighUs(mode: TimingMode): number {
  return mode === 'instant' ? 0 : mode === 'typical' ? 1000 : 1500;
}

/** Busy time of a command in microseconds. */
export function executionUs(command: Command, mode: TimingMode): number {
  if (mode === 'instant') return 0;
  return (mode === 'max' ? command.maxMs : command.typicalMs) * 1000;
}

/**
 * The watchdog sends an awake part to sleep ~1.3 s after wake, or ~13 s with ChipMode bit 2
 * (CryptoAuthLib ATCA_CHIPMODE_WATCHDOG_SHORT / _LONG; reference §3.3).
 */
export function watchdogUs(config: Uint8Array): number {
  return chipModeOf(config).longWatchdog ? 13_000_000 : 1_300_000;
}
