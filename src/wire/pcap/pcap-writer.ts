/**
 * Classic libpcap file writer (draft-ietf-opsawg-pcap). Written here, not taken from npm: no
 * well-kept pure-TypeScript pcap/pcapng library fits (sans-IO, both formats, a bounded reader),
 * and the formats are small enough to own, with tshark as the independent judge
 * (test/integration/pcap-tshark.test.ts).
 */
import { parseOptions, z } from '../../core/options.js';
import { LINKTYPE_ETHERNET } from './frames/link.js';
import { assertTimestamp, type CaptureWriter, encodeWith, type PacketToWrite } from './packet.js';

export const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;
export const DEFAULT_SNAPLEN = 262_144;
const FILE_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;

const schema = z.strictObject({
  linkType: z.number().int().min(0).max(0xffff).default(LINKTYPE_ETHERNET),
  snaplen: z.number().int().min(1).max(0x7fffffff).default(DEFAULT_SNAPLEN),
});
export type PcapWriterOptions = z.input<typeof schema>;

/** Little-endian, microsecond timestamps; records are produced one at a time (sans-IO). */
export class PcapWriter implements CaptureWriter {
  readonly format = 'pcap';
  readonly linkType: number;
  readonly snaplen: number;

  constructor(options: PcapWriterOptions = {}) {
    const o = parseOptions(schema, options, 'PcapWriter');
    this.linkType = o.linkType;
    this.snaplen = o.snaplen;
  }

  /** pcap §4 File Header: magic, version 2.4, reserved, snap length, link type. */
  header(): Uint8Array {
    const out = new Uint8Array(FILE_HEADER_LENGTH);
    const v = new DataView(out.buffer);
    v.setUint32(0, PCAP_MAGIC_MICROSECONDS, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    v.setUint32(16, this.snaplen, true);
    v.setUint32(20, this.linkType, true);
    return out;
  }

  /** pcap §5 Packet Record: seconds, microseconds, captured length, original length, data. */
  packet(p: PacketToWrite): Uint8Array {
    assertTimestamp(p.timestampUs);
    const seconds = Math.floor(p.timestampUs / 1e6);
    if (seconds > 0xffffffff) throw new RangeError(`timestamp ${p.timestampUs} µs is past 2106`);
    const captured = Math.min(p.data.length, this.snaplen);
    const original = p.originalLength ?? p.data.length;
    if (original < p.data.length) throw new RangeError('originalLength is less than the data length');
    const out = new Uint8Array(RECORD_HEADER_LENGTH + captured);
    const v = new DataView(out.buffer);
    v.setUint32(0, seconds, true);
    v.setUint32(4, p.timestampUs % 1e6, true);
    v.setUint32(8, captured, true);
    v.setUint32(12, original, true);
    out.set(p.data.subarray(0, captured), RECORD_HEADER_LENGTH);
    return out;
  }
}

export function encodePcap(packets: Iterable<PacketToWrite>, options: PcapWriterOptions = {}): Uint8Array {
  return encodeWith(new PcapWriter(options), packets);
}
