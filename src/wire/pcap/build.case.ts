/**
 * Hand-built capture files for reader tests, in either byte order — independent of the writers,
 * which only produce little-endian microsecond files.
 */
export interface Endian {
  readonly le: boolean;
}

export function u16(e: Endian, v: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, e.le);
  return b;
}

export function u32(e: Endian, v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, e.le);
  return b;
}

const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const pad = (n: number) => new Uint8Array((4 - (n % 4)) % 4);

export interface PcapRecord {
  readonly seconds: number;
  readonly fraction: number;
  readonly data: Uint8Array;
  readonly original?: number;
}

export function pcapFile(
  e: Endian & { nano?: boolean; linkType?: number; snaplen?: number; major?: number },
  records: readonly PcapRecord[],
): Uint8Array {
  const header = cat(
    u32(e, e.nano ? 0xa1b23c4d : 0xa1b2c3d4),
    u16(e, e.major ?? 2),
    u16(e, 4),
    new Uint8Array(8),
    u32(e, e.snaplen ?? 65535),
    u32(e, e.linkType ?? 1),
  );
  return cat(
    header,
    ...records.flatMap((r) => [
      u32(e, r.seconds),
      u32(e, r.fraction),
      u32(e, r.data.length),
      u32(e, r.original ?? r.data.length),
      r.data,
    ]),
  );
}

export function option(e: Endian, code: number, value: Uint8Array): Uint8Array {
  return cat(u16(e, code), u16(e, value.length), value, pad(value.length));
}

export const endOfOptions = (_e: Endian) => new Uint8Array(4);

export function block(e: Endian, type: number, ...body: Uint8Array[]): Uint8Array {
  const b = cat(...body);
  const total = 12 + b.length + pad(b.length).length;
  return cat(u32(e, type), u32(e, total), b, pad(b.length), u32(e, total));
}

export function shb(e: Endian, options: Uint8Array[] = [], major = 1): Uint8Array {
  return block(
    e,
    0x0a0d0d0a,
    u32(e, 0x1a2b3c4d),
    u16(e, major),
    u16(e, 0),
    new Uint8Array(8).fill(0xff),
    ...options,
  );
}

export function idb(e: Endian, linkType: number, snaplen: number, options: Uint8Array[] = []): Uint8Array {
  return block(e, 1, u16(e, linkType), u16(e, 0), u32(e, snaplen), ...options);
}

export function epb(
  e: Endian,
  interfaceId: number,
  units: bigint,
  data: Uint8Array,
  options: Uint8Array[] = [],
  original = data.length,
): Uint8Array {
  return block(
    e,
    6,
    u32(e, interfaceId),
    u32(e, Number(units >> 32n)),
    u32(e, Number(units & 0xffffffffn)),
    u32(e, data.length),
    u32(e, original),
    data,
    pad(data.length),
    ...options,
  );
}

export function spb(e: Endian, original: number, data: Uint8Array): Uint8Array {
  return block(e, 3, u32(e, original), data);
}

/** The obsolete pcapng Packet Block: 16-bit interface id and drops count. */
export function pb(e: Endian, interfaceId: number, units: bigint, data: Uint8Array): Uint8Array {
  return block(
    e,
    2,
    u16(e, interfaceId),
    u16(e, 0),
    u32(e, Number(units >> 32n)),
    u32(e, Number(units & 0xffffffffn)),
    u32(e, data.length),
    u32(e, data.length),
    data,
  );
}

export const text = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
export { cat };
