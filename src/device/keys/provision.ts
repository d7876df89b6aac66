import { LabError } from '../../core/errors.js';
import type { Atecc608b } from '../../hardware/atecc608b/index.js';
import { I2cBus, VirtualBusClock } from '../../hardware/i2c/index.js';
import { Atecc608Driver } from '../drivers/atecc608.js';
import { decodeSlotKey, encodeSlotKey } from './slot-key.js';

/**
 * Step 3 provisioning as the lab sheet's sketch does it: the key blob written in 32-byte
 * blocks at `(slot<<3)|(block<<8)`, then read back and compared. Whatever refuses (a locked
 * slot, a secret one) answers through the driver's coded errors.
 */
export async function writeSlotKey(
  driver: Atecc608Driver,
  slot: number,
  pkcs8Der: Uint8Array,
  slotBytes = 416,
): Promise<void> {
  const blob = encodeSlotKey(pkcs8Der, slotBytes);
  await driver.writeSlot(slot, blob);
  const back = decodeSlotKey(await driver.readSlot(slot, blob.length / 32));
  if (!Buffer.from(back.der).equals(Buffer.from(pkcs8Der))) {
    throw new LabError(
      'ERR_SE_COMMUNICATION',
      `slot ${slot}: the key read back differs from the key written`,
      {
        details: { slot },
      },
    );
  }
}

/** Provision a part on a bench bus of its own (virtual time), as a programming jig would. */
export async function provisionPart(part: Atecc608b, pkcs8Der: Uint8Array, slot = 8): Promise<void> {
  const bus = new I2cBus({ clock: new VirtualBusClock(1_000) });
  bus.attach(part.i2cAddress, part);
  await writeSlotKey(new Atecc608Driver(bus, part.i2cAddress), slot, pkcs8Der);
}
