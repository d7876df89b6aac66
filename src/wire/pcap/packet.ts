/**
 * Timestamps are integer microseconds since the Unix epoch, held in a `number`: exact up to
 * 2^53 µs (the year 2255), cheap to compare and to do arithmetic on. Nanosecond captures are
 * read to the microsecond (floor); that precision is all a relay on a loopback socket has anyway.
 */
export interface PacketToWrite {
  readonly timestampUs: number;
  /** The frame, link-layer header first. Longer than the snap length: cut, `originalLength` kept. */
  readonly data: Uint8Array;
  /** Length on the wire; `data.length` when absent. */
  readonly originalLength?: number;
  /** pcapng only (EPB opt_comment): shown by Wireshark as a packet comment. */
  readonly comment?: string;
}

/** A packet as read from a file. */
export interface CapturedPacket {
  readonly timestampUs: number;
  /** pcapng interface (IDB) index; always 0 in classic pcap. */
  readonly interfaceId: number;
  /** LINKTYPE_* of the interface (1 = Ethernet). */
  readonly linkType: number;
  readonly data: Uint8Array;
  readonly originalLength: number;
  readonly comment?: string;
  /** Where the packet's data starts in the file, for error messages. */
  readonly fileOffset: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

/**
 * A packet as the readers find it, without an object: its data is `bytes[dataStart,
 * dataStart + captured)` of the file given to the scan.
 */
export type PacketSink = (
  timestampUs: number,
  linkType: number,
  dataStart: number,
  captured: number,
  originalLength: number,
  interfaceId: number,
  comment: string | undefined,
) => void;

export interface CaptureInterface {
  readonly linkType: number;
  /** 0 = no limit (pcapng). */
  readonly snaplen: number;
  readonly name?: string;
  /** Timestamp units per second (10^6 for microseconds, 10^9 for nanoseconds). */
  readonly unitsPerSecond: bigint;
}

export interface Capture {
  readonly format: CaptureFormat;
  readonly interfaces: readonly CaptureInterface[];
  readonly packets: readonly CapturedPacket[];
}

/** The two writers are one interface: a file header, then one record per packet, as byte chunks. */
export interface CaptureWriter {
  readonly format: CaptureFormat;
  header(): Uint8Array;
  packet(packet: PacketToWrite): Uint8Array;
}

/** Header and every record, as one file image. */
export function encodeWith(writer: CaptureWriter, packets: Iterable<PacketToWrite>): Uint8Array {
  const chunks = [writer.header()];
  for (const p of packets) chunks.push(writer.packet(p));
  return concatBytes(chunks);
}

/** Parts joined in a fresh Uint8Array (not a Buffer, which may share a pooled ArrayBuffer). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The checks a writer makes on a packet before encoding it. */
export function assertTimestamp(timestampUs: number): void {
  if (!Number.isSafeInteger(timestampUs) || timestampUs < 0)
    throw new RangeError(`timestampUs must be a non-negative integer, not ${timestampUs}`);
}
