/**
 * The Wire calls the sensor drivers make, with "nobody answered" turned into a coded error. The
 * bus reports a NACK as data (a scan needs it); to a driver halfway through a measurement a NACK
 * means the part is gone, asleep or refusing the transfer, and the measurement cannot go on.
 */
import { LabError } from '../../core/errors.js';
import type { I2cBus } from '../../hardware/i2c/index.js';

/** The part a transfer was for, named in errors: `SHT30 at 0x44`. */
export interface SensorTarget {
  readonly part: string;
  readonly address: number;
}

/** `Wire.beginTransmission; Wire.write(bytes); Wire.endTransmission()`, which must be ACKed to the end. */
export function sensorWrite(bus: I2cBus, target: SensorTarget, bytes: readonly number[]): void {
  const result = bus.write(target.address, bytes);
  if (result.ack) return;
  const where = result.nackAt === 'address' ? 'its address' : `byte ${result.index} of the write`;
  throw new LabError('ERR_SENSOR_NO_DEVICE', `${describe(target)}: no ACK for ${where}`, {
    details: {
      part: target.part,
      address: target.address,
      direction: 'write',
      nackAt: result.nackAt,
      ...(result.nackAt === 'data' ? { index: result.index } : {}),
    },
  });
}

/** `Wire.requestFrom(address, length)`: the bytes, or an error if the address was not ACKed. */
export function sensorRead(bus: I2cBus, target: SensorTarget, length: number): Uint8Array {
  const result = bus.read(target.address, length);
  if (result.ack) return result.data;
  throw new LabError('ERR_SENSOR_NO_DEVICE', `${describe(target)}: no ACK for a read of ${length} bytes`, {
    details: { part: target.part, address: target.address, direction: 'read', nackAt: 'address' },
  });
}

/** The part answered, but what it said cannot be a measurement. */
export function badData(
  target: SensorTarget,
  message: string,
  details: Readonly<Record<string, unknown>> = {},
): LabError {
  return new LabError('ERR_SENSOR_BAD_DATA', `${describe(target)}: ${message}`, {
    details: { part: target.part, address: target.address, ...details },
  });
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function describe(target: SensorTarget): string {
  return `${target.part} at 0x${target.address.toString(16).padStart(2, '0')}`;
}
