import { LabError } from '../../core/errors.js';

/** UM10204 §3.1.12 Table 4: 0x00–0x07 and 0x78–0x7F are reserved; devices answer at 0x08–0x77. */
export const FIRST_DEVICE_ADDRESS = 0x08;
export const LAST_DEVICE_ADDRESS = 0x77;

/** An address a device can be attached at (or a fault aimed at): 0x08–0x77. */
export function assertDeviceAddress(address: number, where: string): void {
  if (!Number.isInteger(address) || address < FIRST_DEVICE_ADDRESS || address > LAST_DEVICE_ADDRESS) {
    throw new LabError(
      'ERR_I2C_ADDRESS_INVALID',
      `${where}: ${describe(address)} is not a device address (0x08–0x77)`,
      { details: { where, address } },
    );
  }
}

/**
 * An address a master can put on the bus: any 7-bit value. Reserved addresses are legal on the
 * wire (0x00 is the general call); no device answers them, so they NACK.
 */
export function assertBusAddress(address: number, where: string): void {
  if (!Number.isInteger(address) || address < 0 || address > 0x7f) {
    throw new LabError('ERR_I2C_ADDRESS_INVALID', `${where}: ${describe(address)} is not a 7-bit address`, {
      details: { where, address },
    });
  }
}

export function hexAddress(address: number): string {
  return `0x${address.toString(16).padStart(2, '0')}`;
}

function describe(address: number): string {
  return Number.isInteger(address) && address >= 0 ? hexAddress(address) : String(address);
}
