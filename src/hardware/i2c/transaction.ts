/**
 * What a transaction returns to the master, and what it leaves on the wire for a tap.
 * A NACK is an outcome, not an error: "nobody answered" is how a scan finds devices.
 */

export type I2cDirection = 'write' | 'read';

export type I2cWriteResult =
  | { readonly ack: true }
  | { readonly ack: false; readonly nackAt: 'address' }
  /** The byte at `index` of the data was NACKed; the master stopped after it. */
  | { readonly ack: false; readonly nackAt: 'data'; readonly index: number };

export type I2cReadResult = { readonly ack: true; readonly data: Uint8Array } | { readonly ack: false };

/** One transaction as a logic analyser on SCL/SDA sees it. */
export interface I2cTransaction {
  /** Bus time of the START condition, µs. */
  readonly timeUs: number;
  /** From START to the bus being free after STOP, µs. */
  readonly durationUs: number;
  /** SCL rate the transaction ran at. */
  readonly frequencyHz: number;
  readonly direction: I2cDirection;
  /** 7-bit address; 0x00 with direction 'write' is a general call. */
  readonly address: number;
  /**
   * Data bytes after the address byte, as they were on the wire: after a bit error, the
   * corrupted value; after a data NACK, up to and including the NACKed byte; none after an
   * address NACK.
   */
  readonly bytes: Uint8Array;
  /** Whether the addressed part acknowledged (every byte of a write, the address of a read). */
  readonly ack: boolean;
  readonly nackAt?: 'address' | 'data';
  /** Index in `bytes` of the NACKed data byte. */
  readonly index?: number;
  /** An injected fault (forced NACK, bit error) changed what was on the wire. */
  readonly faulted: boolean;
}

export interface I2cTransactionJson {
  readonly timeUs: number;
  readonly durationUs: number;
  readonly frequencyHz: number;
  readonly direction: I2cDirection;
  readonly address: number;
  /** Lower-case hex, two digits per byte, no separator. */
  readonly bytes: string;
  readonly ack: boolean;
  readonly nackAt?: 'address' | 'data';
  readonly index?: number;
  readonly faulted: boolean;
}

export function transactionToJson(t: I2cTransaction): I2cTransactionJson {
  return {
    timeUs: t.timeUs,
    durationUs: t.durationUs,
    frequencyHz: t.frequencyHz,
    direction: t.direction,
    address: t.address,
    bytes: Buffer.from(t.bytes).toString('hex'),
    ack: t.ack,
    ...(t.nackAt === undefined ? {} : { nackAt: t.nackAt }),
    ...(t.index === undefined ? {} : { index: t.index }),
    faulted: t.faulted,
  };
}
