/**
 * pcapng writer (draft-ietf-opsawg-pcapng): one section (SHB), one interface (IDB), one Enhanced
 * Packet Block per packet. Own code for the reason given in pcap-writer.ts.
 */
import { parseOptions, z } from '../../core/options.js';
import { LINKTYPE_ETHERNET } from './frames/link.js';
import { DEFAULT_SNAPLEN } from './pcap-writer.js';
import {
  assertTimestamp,
  type CaptureWriter,
  concatBytes,
  encodeWith,
  type PacketToWrite,
} from './packet.js';

export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 0x00000001;
export const BLOCK_SPB = 0x00000003;
export const BLOCK_EPB = 0x00000006;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;
export const OPT_SHB_USERAPPL = 4;
export const OPT_IF_NAME = 2;
export const OPT_IF_TSRESOL = 9;

const schema = z.strictObject({
  linkType: z.number().int().min(0).max(0xffff).default(LINKTYPE_ETHERNET),
  snaplen: z.number().int().min(0).max(0xffffffff).default(DEFAULT_SNAPLEN),
  /** if_name: what Wireshark shows as the capture interface. */
  ifName: z.string().min(1).max(256).default('lab0'),
  /** if_tsresol as a power of ten: 6 = microseconds (the default when the option is absent), 9 = ns. */
  tsResolution: z.union([z.literal(6), z.literal(9)]).default(6),
  userAppl: z.string().min(1).max(256).default('mqtts-lab'),
});
export type PcapngWriterOptions = z.input<typeof schema>;

interface BlockOption {
  readonly code: number;
  readonly value: Uint8Array;
}

const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const pad4 = (n: number) => (4 - (n % 4)) % 4;

/** pcapng §3.5 options: code, length, value padded to 32 bits; opt_endofopt closes a non-empty list. */
export function encodeOptions(options: readonly BlockOption[]): Uint8Array {
  if (options.length === 0) return new Uint8Array(0);
  const size = options.reduce((n, o) => n + 4 + o.value.length + pad4(o.value.length), 4);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  let at = 0;
  for (const o of options) {
    if (o.value.length > 0xffff) throw new RangeError(`option ${o.code} value exceeds 65535 bytes`);
    v.setUint16(at, o.code, true);
    v.setUint16(at + 2, o.value.length, true);
    out.set(o.value, at + 4);
    at += 4 + o.value.length + pad4(o.value.length);
  }
  return out; // the last 4 bytes stay zero: opt_endofopt, length 0
}

/** pcapng §3.1 block: type, total length, body (padded to 32 bits), total length again. */
export function encodeBlock(type: number, ...body: readonly Uint8Array[]): Uint8Array {
  const bodyLength = body.reduce((n, b) => n + b.length, 0);
  const total = 12 + bodyLength + pad4(bodyLength);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, total, true);
  let at = 8;
  for (const b of body) {
    out.set(b, at);
    at += b.length;
  }
  v.setUint32(total - 4, total, true);
  return out;
}

/** Little-endian sections, one Ethernet interface, Enhanced Packet Blocks. */
export class PcapngWriter implements CaptureWriter {
  readonly format = 'pcapng';
  readonly #o: Readonly<z.output<typeof schema>>;
  readonly #unitsPerUs: bigint;

  constructor(options: PcapngWriterOptions = {}) {
    this.#o = parseOptions(schema, options, 'PcapngWriter');
    this.#unitsPerUs = this.#o.tsResolution === 9 ? 1000n : 1n;
  }

  /** SHB then IDB: everything before the first packet. */
  header(): Uint8Array {
    return concatBytes([this.#sectionHeader(), this.#interfaceDescription()]);
  }

  /** pcapng §4.1 SHB: byte-order magic, version 1.0, section length -1 (not given). */
  #sectionHeader(): Uint8Array {
    const fixed = new Uint8Array(16);
    const v = new DataView(fixed.buffer);
    v.setUint32(0, BYTE_ORDER_MAGIC, true);
    v.setUint16(4, 1, true);
    v.setUint16(6, 0, true);
    v.setBigInt64(8, -1n, true);
    const options = encodeOptions([{ code: OPT_SHB_USERAPPL, value: utf8(this.#o.userAppl) }]);
    return encodeBlock(BLOCK_SHB, fixed, options);
  }

  /** pcapng §4.2 IDB: link type, reserved, snap length, if_name, if_tsresol. */
  #interfaceDescription(): Uint8Array {
    const fixed = new Uint8Array(8);
    const v = new DataView(fixed.buffer);
    v.setUint16(0, this.#o.linkType, true);
    v.setUint32(4, this.#o.snaplen, true);
    const options = encodeOptions([
      { code: OPT_IF_NAME, value: utf8(this.#o.ifName) },
      { code: OPT_IF_TSRESOL, value: Uint8Array.of(this.#o.tsResolution) },
    ]);
    return encodeBlock(BLOCK_IDB, fixed, options);
  }

  /** pcapng §4.3 EPB: interface 0, 64-bit timestamp in if_tsresol units, lengths, data, options. */
  packet(p: PacketToWrite): Uint8Array {
    assertTimestamp(p.timestampUs);
    const snaplen = this.#o.snaplen === 0 ? Infinity : this.#o.snaplen;
    const captured = Math.min(p.data.length, snaplen);
    const original = p.originalLength ?? p.data.length;
    if (original < p.data.length) throw new RangeError('originalLength is less than the data length');
    const fixed = new Uint8Array(20);
    const v = new DataView(fixed.buffer);
    const ts = BigInt(p.timestampUs) * this.#unitsPerUs;
    v.setUint32(0, 0, true);
    v.setUint32(4, Number(ts >> 32n), true);
    v.setUint32(8, Number(ts & 0xffffffffn), true);
    v.setUint32(12, captured, true);
    v.setUint32(16, original, true);
    const data = p.data.subarray(0, captured);
    const padding = new Uint8Array(pad4(captured));
    const options = encodeOptions(
      p.comment === undefined ? [] : [{ code: OPT_COMMENT, value: utf8(p.comment) }],
    );
    return encodeBlock(BLOCK_EPB, fixed, data, padding, options);
  }
}

export function encodePcapng(
  packets: Iterable<PacketToWrite>,
  options: PcapngWriterOptions = {},
): Uint8Array {
  return encodeWith(new PcapngWriter(options), packets);
}
