/**
 * On-wire timing of one transaction, shared by the bus (how far virtual time moves) and the VCD
 * export (where each SCL/SDA edge lands), so the two always agree.
 *
 * A transaction is laid out in cells of one bit time T = 1/f:
 *   START cell | 9 cells per byte (8 data bits MSB first + ACK/NACK) | STOP cell
 * so a transfer of n bytes (the address byte included) lasts (9n + 2)·T. The SCL duty cycle is
 * an idealised 50 %; real masters stretch tLOW a little (UM10204 Table 10).
 */

/** UM10204 §5.3: Hs-mode (3.4 MHz) needs a master code sent at F/S speed first, which is not emulated. */
export const MAX_FREQUENCY_HZ = 1_000_000;

/** Wire's default and the Standard-mode rate (UM10204 §3.1: up to 100 kbit/s). */
export const DEFAULT_FREQUENCY_HZ = 100_000;

/** The general-call address (UM10204 §3.1.13). */
export const GENERAL_CALL_ADDRESS = 0x00;

/** Cells of one byte: 8 data bits and the acknowledge bit (UM10204 §3.1.6). */
export const CELLS_PER_BYTE = 9;

export function bitTimeUs(frequencyHz: number): number {
  return 1e6 / frequencyHz;
}

/** Duration of a transfer of `bytesOnWire` bytes, the address byte included. */
export function transferDurationUs(frequencyHz: number, bytesOnWire: number): number {
  return (CELLS_PER_BYTE * bytesOnWire + 2) * bitTimeUs(frequencyHz);
}

/** From START to the end of the address byte's acknowledge bit: when the addressed part has answered. */
export function addressPhaseUs(frequencyHz: number): number {
  return (1 + CELLS_PER_BYTE) * bitTimeUs(frequencyHz);
}

/**
 * How long a general-call write holds SDA low: the START cell and the eight zero bits of the
 * address byte 0x00 + W, until the acknowledge bit releases SDA — nine bit times (90 µs at
 * 100 kHz), which exceeds the ATECC608B's tWLO of 60 µs at 100 kHz but not at 400 kHz (22.5 µs).
 */
export function generalCallLowUs(frequencyHz: number): number {
  return CELLS_PER_BYTE * bitTimeUs(frequencyHz);
}
