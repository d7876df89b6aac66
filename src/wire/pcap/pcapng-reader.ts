import { LabError } from '../../core/errors.js';
import { ByteCursor, malformed } from './cursor.js';
import type { Capture, CaptureInterface, CapturedPacket, PacketSink } from './packet.js';
import {
  BLOCK_EPB,
  BLOCK_IDB,
  BLOCK_SHB,
  BLOCK_SPB,
  BYTE_ORDER_MAGIC,
  OPT_COMMENT,
  OPT_ENDOFOPT,
  OPT_IF_NAME,
  OPT_IF_TSRESOL,
} from './pcapng-writer.js';

const BLOCK_PB = 0x00000002; // the obsolete Packet Block, superseded by the EPB in pcapng
const OPT_IF_TSOFFSET = 14;
const MICROS = 1_000_000n;

interface Interface extends CaptureInterface {
  /** if_tsoffset: seconds added to every timestamp of the interface. */
  readonly offsetSeconds: bigint;
  /** Index in the whole file; pcapng numbers interfaces per section. */
  readonly index: number;
  /** Timestamps are microseconds with no offset: the units are the result. */
  readonly plainMicros: boolean;
}

interface Section {
  littleEndian: boolean;
  interfaces: Interface[];
}

/**
 * Read a pcapng file (draft-ietf-opsawg-pcapng): any number of sections in either byte order,
 * IDB, EPB, SPB and the obsolete PB; every other block type is skipped by its length. Packet
 * data are views into `bytes`.
 */
export function readPcapng(bytes: Uint8Array): Capture {
  const packets: CapturedPacket[] = [];
  const interfaces = scanPcapng(
    bytes,
    (timestampUs, linkType, dataStart, captured, originalLength, interfaceId, comment) => {
      packets.push({
        timestampUs,
        interfaceId,
        linkType,
        data: bytes.subarray(dataStart, dataStart + captured),
        originalLength,
        fileOffset: dataStart,
        ...(comment === undefined ? {} : { comment }),
      });
    },
  );
  return { format: 'pcapng', interfaces, packets };
}

/** Where packets go, and the last timestamp (an SPB has none of its own). */
interface Out {
  readonly sink: PacketSink;
  lastUs: number | undefined;
}

/**
 * The reader's loop without a packet object: `sink` gets each packet's fields and where its data
 * lies in `bytes`, in file order. Throws what `readPcapng` throws, after the packets before the fault.
 */
export function scanPcapng(bytes: Uint8Array, sink: PacketSink): CaptureInterface[] {
  const interfaces: Interface[] = [];
  const packets: Out = { sink, lastUs: undefined };
  let section: Section | undefined;
  let at = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (at < bytes.length) {
    if (section !== undefined) {
      const read = enhancedPacket(bytes, view, at, section, packets);
      if (read > 0) {
        at += read;
        continue;
      }
    }
    const head = new ByteCursor(bytes.subarray(at), section?.littleEndian ?? true, at);
    head.need(12, 'block header');
    const type = head.u32('block type');
    if (type === BLOCK_SHB) section = startSection(bytes, at);
    else if (section === undefined)
      throw malformed('the file does not start with a Section Header Block', at);
    head.littleEndian = section.littleEndian;
    const total = head.u32('block total length');
    // pcapng §3.1: total length counts the 12 framing bytes and is a multiple of 4.
    if (total < 12 || total % 4 !== 0) throw malformed(`block total length ${total}`, at + 4);
    head.need(total - 8, `block of type 0x${type.toString(16)} (total length ${total})`);
    const body = new ByteCursor(bytes.subarray(at + 8, at + total - 4), section.littleEndian, at + 8);
    const trailer = new ByteCursor(
      bytes.subarray(at + total - 4, at + total),
      section.littleEndian,
      at + total - 4,
    );
    if (trailer.u32('trailing block total length') !== total)
      throw malformed(`trailing block length differs from the leading ${total}`, at + total - 4);
    readBlock(type, body, section, interfaces, packets);
    at += total;
  }
  return interfaces.map(publicInterface);
}

const EPB_FIXED = 20;
const TWO_32 = 2 ** 32;

/**
 * The common block read without cursors: a well-formed EPB with no options whose interface is
 * known. Returns the block's length, or 0 for any other block, which the checked path then
 * reads (and describes, when it is damaged).
 */
function enhancedPacket(
  bytes: Uint8Array,
  view: DataView,
  at: number,
  section: Section,
  packets: Out,
): number {
  const le = section.littleEndian;
  if (at + 12 + EPB_FIXED > bytes.length || view.getUint32(at, le) !== BLOCK_EPB) return 0;
  const total = view.getUint32(at + 4, le);
  // pcapng §3.1: total length counts the 12 framing bytes, is a multiple of 4, and is repeated.
  if (total % 4 !== 0 || total < 12 + EPB_FIXED || at + total > bytes.length) return 0;
  if (view.getUint32(at + total - 4, le) !== total) return 0;
  const iface = section.interfaces[view.getUint32(at + 8, le)];
  const captured = view.getUint32(at + 20, le);
  const dataStart = at + 8 + EPB_FIXED;
  const bodyEnd = at + total - 4;
  if (iface === undefined || (iface.snaplen > 0 && captured > iface.snaplen)) return 0;
  // Options (a comment, flags) follow the padded data: the checked path reads them.
  if (dataStart + captured > bodyEnd || dataStart + captured + ((4 - (captured % 4)) % 4) < bodyEnd) return 0;
  const high = view.getUint32(at + 12, le);
  const low = view.getUint32(at + 16, le);
  const original = view.getUint32(at + 24, le);
  const exact = iface.plainMicros && high < 0x200000; // below 2^53: a number holds it exactly
  const timestampUs = exact ? high * TWO_32 + low : toMicros((BigInt(high) << 32n) | BigInt(low), iface);
  packets.lastUs = timestampUs;
  packets.sink(
    timestampUs,
    iface.linkType,
    dataStart,
    captured,
    Math.max(original, captured),
    iface.index,
    undefined,
  );
  return total;
}

/** SHB: the byte-order magic after the length decides the order of the whole section (pcapng §4.1). */
function startSection(bytes: Uint8Array, at: number): Section {
  const bom = new ByteCursor(bytes.subarray(at), true, at);
  bom.skip(8, 'Section Header Block type and length');
  const magic = bom.u32('byte-order magic');
  if (magic === BYTE_ORDER_MAGIC) return { littleEndian: true, interfaces: [] };
  if (magic === 0x4d3c2b1a) return { littleEndian: false, interfaces: [] };
  throw malformed('Section Header Block byte-order magic is neither 1a2b3c4d nor 4d3c2b1a', at + 8);
}

function readBlock(type: number, body: ByteCursor, section: Section, all: Interface[], packets: Out): void {
  switch (type) {
    case BLOCK_SHB: {
      body.skip(4, 'byte-order magic');
      const major = body.u16('major version');
      const minor = body.u16('minor version');
      if (major !== 1)
        throw new LabError('ERR_PCAP_UNSUPPORTED', `pcapng version ${major}.${minor} (expected 1.x)`, {
          details: { major, minor, offset: body.fileOffset - 4 },
        });
      body.skip(8, 'section length');
      readOptions(body);
      return;
    }
    case BLOCK_IDB:
      return readInterface(body, section, all);
    case BLOCK_EPB:
    case BLOCK_PB:
      return readPacket(type, body, section, packets);
    case BLOCK_SPB:
      return readSimplePacket(body, section, packets);
    default:
      return; // NRB, ISB, DSB, custom blocks…: pcapng §3.1 lets a reader skip what it does not know.
  }
}

/** pcapng §4.2 IDB: link type, snap length, if_name, if_tsresol, if_tsoffset. */
function readInterface(body: ByteCursor, section: Section, all: Interface[]): void {
  const linkType = body.u16('link type');
  body.skip(2, 'reserved');
  const snaplen = body.u32('snap length');
  let name: string | undefined;
  let unitsPerSecond = MICROS;
  let offsetSeconds = 0n;
  for (const o of readOptions(body)) {
    if (o.code === OPT_IF_NAME) name = Buffer.from(o.value).toString('utf8').replace(/\0+$/, '');
    else if (o.code === OPT_IF_TSRESOL) {
      if (o.value.length !== 1) throw malformed('if_tsresol is not 1 byte', o.offset);
      // pcapng §4.2: MSB clear → 10^-n seconds, MSB set → 2^-n seconds.
      const n = BigInt(o.value[0]! & 0x7f);
      unitsPerSecond = o.value[0]! & 0x80 ? 1n << n : 10n ** n;
    } else if (o.code === OPT_IF_TSOFFSET) {
      if (o.value.length !== 8) throw malformed('if_tsoffset is not 8 bytes', o.offset);
      const v = new DataView(o.value.buffer, o.value.byteOffset, 8);
      offsetSeconds = v.getBigInt64(0, section.littleEndian);
    }
  }
  const iface: Interface = {
    linkType,
    snaplen,
    unitsPerSecond,
    offsetSeconds,
    index: all.length,
    plainMicros: unitsPerSecond === MICROS && offsetSeconds === 0n,
    ...(name === undefined ? {} : { name }),
  };
  section.interfaces.push(iface);
  all.push(iface);
}

/** pcapng §4.3 EPB (and the obsolete PB: 16-bit interface id, 16-bit drops count). */
function readPacket(type: number, body: ByteCursor, section: Section, packets: Out): void {
  const blockStart = body.fileOffset - 8;
  const interfaceId = type === BLOCK_PB ? body.u16('interface id') : body.u32('interface id');
  if (type === BLOCK_PB) body.skip(2, 'drops count');
  const iface = section.interfaces[interfaceId];
  if (iface === undefined)
    throw malformed(
      `packet names interface ${interfaceId}; the section has ${section.interfaces.length}`,
      blockStart,
    );
  const high = body.u32('timestamp (high)');
  const low = body.u32('timestamp (low)');
  const captured = body.u32('captured length');
  const original = body.u32('original length');
  if (iface.snaplen > 0 && captured > iface.snaplen)
    throw malformed(`captured length ${captured} > snap length ${iface.snaplen}`, body.fileOffset - 8);
  const fileOffset = body.fileOffset;
  body.skip(captured, 'packet data');
  body.skip(Math.min((4 - (captured % 4)) % 4, body.remaining), 'packet data padding');
  const comment = readOptions(body).find((o) => o.code === OPT_COMMENT);
  const units = (BigInt(high) << 32n) | BigInt(low);
  const timestampUs = toMicros(units, iface);
  packets.lastUs = timestampUs;
  packets.sink(
    timestampUs,
    iface.linkType,
    fileOffset,
    captured,
    Math.max(original, captured),
    iface.index,
    comment === undefined ? undefined : Buffer.from(comment.value).toString('utf8'),
  );
}

/** pcapng §4.4 SPB: no interface id (always the first), no timestamp, length from the IDB. */
function readSimplePacket(body: ByteCursor, section: Section, packets: Out): void {
  const iface = section.interfaces[0];
  if (iface === undefined) throw malformed('Simple Packet Block before any interface', body.fileOffset - 8);
  const original = body.u32('original length');
  // pcapng §4.4: captured length = min(original length, snap length); the rest is padding.
  let captured = Math.min(original, body.remaining);
  if (iface.snaplen > 0) captured = Math.min(captured, iface.snaplen);
  const fileOffset = body.fileOffset;
  body.skip(captured, 'packet data');
  // An SPB has no timestamp: it takes the one before it, so times stay in order.
  const timestampUs = packets.lastUs ?? 0;
  packets.lastUs = timestampUs;
  packets.sink(
    timestampUs,
    iface.linkType,
    fileOffset,
    captured,
    Math.max(original, captured),
    iface.index,
    undefined,
  );
}

function toMicros(units: bigint, iface: Interface): number {
  return Number((units * MICROS) / iface.unitsPerSecond + iface.offsetSeconds * MICROS);
}

function publicInterface(i: Interface): CaptureInterface {
  return {
    linkType: i.linkType,
    snaplen: i.snaplen,
    unitsPerSecond: i.unitsPerSecond,
    ...(i.name === undefined ? {} : { name: i.name }),
  };
}

interface BlockOptionRead {
  readonly code: number;
  readonly value: Uint8Array;
  readonly offset: number;
}

/** pcapng §3.5: code, length, value, padding to 32 bits; until opt_endofopt or the body ends. */
function readOptions(body: ByteCursor): BlockOptionRead[] {
  const out: BlockOptionRead[] = [];
  while (body.remaining > 0) {
    const offset = body.fileOffset;
    const code = body.u16('option code');
    const length = body.u16('option length');
    if (code === OPT_ENDOFOPT) break;
    const value = body.take(length, `value of option ${code}`);
    // A writer may leave out the padding of the very last option; anything else must be there.
    body.skip(Math.min((4 - (length % 4)) % 4, body.remaining), 'option padding');
    out.push({ code, value, offset });
  }
  return out;
}
