import { LabError } from '../../core/errors.js';
import { ByteCursor, malformed } from './cursor.js';
import type { Capture, CapturedPacket, CaptureInterface, PacketSink } from './packet.js';
import { PCAP_MAGIC_MICROSECONDS, PCAP_MAGIC_NANOSECONDS } from './pcap-writer.js';

const FILE_HEADER_LENGTH = 24;

/** The four magic numbers of a classic pcap file: byte order × timestamp unit. */
export function pcapMagic(bytes: Uint8Array): { littleEndian: boolean; nanoseconds: boolean } | null {
  if (bytes.length < 4) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, 4);
  for (const littleEndian of [true, false]) {
    const magic = v.getUint32(0, littleEndian);
    if (magic === PCAP_MAGIC_MICROSECONDS) return { littleEndian, nanoseconds: false };
    if (magic === PCAP_MAGIC_NANOSECONDS) return { littleEndian, nanoseconds: true };
  }
  return null;
}

/** Throws the error that describes the record at the cursor (one that `readPcap` found damaged). */
function malformedRecord(c: ByteCursor, index: number, snaplen: number): never {
  const at = c.fileOffset;
  c.need(16, `record header of packet ${index}`);
  c.skip(8, 'timestamp');
  const captured = c.u32('captured length');
  c.skip(4, 'original length');
  // pcap §5: Captured Packet Length never exceeds SnapLen.
  if (snaplen > 0 && captured > snaplen)
    throw malformed(`packet ${index}: captured length ${captured} > snap length ${snaplen}`, at + 8);
  c.take(captured, `data of packet ${index}`);
  throw new Error(`readPcap: packet ${index} at ${at} is not damaged`); // a caller's bug, not the file's
}

/**
 * Read a classic pcap file (draft-ietf-opsawg-pcap), either byte order, micro- or nanosecond
 * timestamps. Packet data are views into `bytes`, not copies.
 */
export function readPcap(bytes: Uint8Array): Capture {
  const packets: CapturedPacket[] = [];
  const interfaces = scanPcap(bytes, (timestampUs, linkType, dataStart, captured, originalLength) => {
    packets.push({
      timestampUs,
      interfaceId: 0,
      linkType,
      data: bytes.subarray(dataStart, dataStart + captured),
      originalLength,
      fileOffset: dataStart,
    });
  });
  return { format: 'pcap', interfaces, packets };
}

/**
 * The reader's loop without a packet object: `sink` gets each record's fields and where its data
 * lies in `bytes`, in file order. Throws what `readPcap` throws, after the records before the fault.
 */
export function scanPcap(bytes: Uint8Array, sink: PacketSink): CaptureInterface[] {
  return new PcapScan(bytes, sink).finish();
}

interface PcapHeader {
  readonly littleEndian: boolean;
  readonly nanoseconds: boolean;
  readonly snaplen: number;
  readonly linkType: number;
}

/**
 * scanPcap in steps, for a file still being read into `bytes`: `advance(filled)` scans the
 * records that lie whole in `bytes[0, filled)`, `finish()` the rest, as scanPcap would. The
 * same records reach the sink in the same order, and the same error is thrown: a fault found
 * before the end (a record longer than the snap length) ends the scan there, as it would at the end.
 */
export class PcapScan {
  readonly #bytes: Uint8Array;
  readonly #sink: PacketSink;
  readonly #view: DataView;
  #header: PcapHeader | undefined;
  #at = FILE_HEADER_LENGTH;
  #index = 0;

  constructor(bytes: Uint8Array, sink: PacketSink) {
    this.#bytes = bytes;
    this.#sink = sink;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  advance(filled: number): void {
    this.#scan(Math.min(filled, this.#bytes.length), false);
  }

  finish(): CaptureInterface[] {
    const h = this.#scan(this.#bytes.length, true)!;
    return [
      { linkType: h.linkType, snaplen: h.snaplen, unitsPerSecond: h.nanoseconds ? 10n ** 9n : 10n ** 6n },
    ];
  }

  #readHeader(): PcapHeader {
    const bytes = this.#bytes;
    const magic = pcapMagic(bytes);
    if (magic === null) throw malformed('not a pcap magic number', 0);
    const c = new ByteCursor(bytes, magic.littleEndian);
    c.need(FILE_HEADER_LENGTH, 'pcap file header');
    c.skip(4, 'magic');
    const major = c.u16('major version');
    const minor = c.u16('minor version');
    // pcap §4: version 2.4 since 1998; 2.3 files differ only in how old tools filled fields.
    if (major !== 2)
      throw new LabError('ERR_PCAP_UNSUPPORTED', `pcap version ${major}.${minor} (expected 2.x)`, {
        details: { major, minor },
      });
    c.skip(8, 'reserved (thiszone, sigfigs)');
    const snaplen = c.u32('snap length');
    // pcap §4: LinkType is the low 16 bits; the upper bits carry FCS information.
    const linkType = c.u32('link type') & 0xffff;
    return { ...magic, snaplen, linkType };
  }

  /** Records whole in [at, limit); at the end (`last`), one that does not fit is the file's fault. */
  #scan(limit: number, last: boolean): PcapHeader | undefined {
    if (this.#header === undefined) {
      if (!last && limit < FILE_HEADER_LENGTH) return undefined;
      this.#header = this.#readHeader();
    }
    const { littleEndian: le, nanoseconds: nano, snaplen, linkType } = this.#header;
    // The loop reads the record header straight from a DataView: the cursor's checked reads (and
    // their field names) are only used to describe a record that does not fit.
    const view = this.#view;
    const sink = this.#sink;
    let at = this.#at;
    let index = this.#index;
    while (at < limit) {
      const captured = at + 16 <= limit ? view.getUint32(at + 8, le) : -1;
      // pcap §5: Captured Packet Length never exceeds SnapLen.
      const tooLong = snaplen > 0 && captured > snaplen;
      if (captured < 0 || tooLong || at + 16 + captured > limit) {
        if (!last && !tooLong) break; // the rest of the record is not read yet
        this.#fault(at, index, snaplen, le);
      }
      const seconds = view.getUint32(at, le);
      const fraction = view.getUint32(at + 4, le);
      const original = view.getUint32(at + 12, le);
      const fileOffset = at + 16;
      sink(
        seconds * 1e6 + (nano ? Math.floor(fraction / 1000) : fraction),
        linkType,
        fileOffset,
        captured,
        Math.max(original, captured),
        0,
        undefined,
      );
      index++;
      at = fileOffset + captured;
    }
    this.#at = at;
    this.#index = index;
    return this.#header;
  }

  #fault(at: number, index: number, snaplen: number, le: boolean): never {
    const c = new ByteCursor(this.#bytes, le);
    c.skip(at, 'previous packets');
    malformedRecord(c, index, snaplen);
  }
}
