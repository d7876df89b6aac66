import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { LabError } from '../../core/errors.js';
import { decodeBody, encodeBody } from './codec.js';
import { crc32 } from './crc32.js';
import { type FieldWriter, kindCode, kindOf, type StoreRecord } from './records.js';

/**
 * The frame both store files (the journal and the session spools) are made of:
 * [0xA5, kind, u32 body length, body, CRC-32 of kind..body].
 */
export const SYNC = 0xa5;
/** sync, kind, body length. */
export const HEADER = 6;
export const TRAILER = 4;
/** No record is larger: a message is at most the MQTT maximum packet size. */
export const MAX_BODY = 268_435_460 + 4096;

export interface Recovery {
  readonly records: StoreRecord[];
  /** Frames that failed their checks (a torn write, garbage, a body that does not parse). */
  readonly droppedRecords: number;
  readonly droppedBytes: number;
}

/** Append the frame of `record` to `out`; `scratch` holds the body while it is encoded. */
export function frameRecord(out: FieldWriter, record: StoreRecord, scratch: FieldWriter): void {
  scratch.reset();
  encodeBody(record, scratch);
  const body = scratch.view();
  const start = out.length;
  out.u8(SYNC).u8(kindCode(record.kind)).u32(body.length);
  out.raw(body);
  const view = out.view();
  out.u32(crc32(view, start + 1, view.length));
}

/**
 * Every intact frame, in order. A frame that fails (bad sync byte, a length past the end, a
 * CRC mismatch, a body that does not parse) is skipped byte by byte until the next frame that
 * passes every check: garbage in the middle costs only what it covers, a torn last write only itself.
 */
export function recover(bytes: Buffer): Recovery {
  const records: StoreRecord[] = [];
  let droppedRecords = 0;
  let droppedBytes = 0;
  let damaged = false;
  let pos = 0;
  while (pos < bytes.length) {
    const parsed = tryFrame(bytes, pos);
    if (parsed) {
      if (damaged) droppedRecords++;
      damaged = false;
      records.push(parsed.record);
      pos = parsed.end;
      continue;
    }
    damaged = true;
    droppedBytes++;
    pos++;
  }
  if (damaged) droppedRecords++;
  return { records, droppedRecords, droppedBytes };
}

/**
 * Where the frame starting at `pos` would end, from its header alone; undefined when the header
 * cannot start a frame. Lets a reader fetch the whole frame before checking it.
 */
export function frameEnd(bytes: Buffer, pos: number): number | undefined {
  if (bytes[pos] !== SYNC || pos + HEADER > bytes.length) return undefined;
  if (kindOf(bytes[pos + 1]!) === undefined) return undefined;
  const length = bytes.readUInt32BE(pos + 2);
  if (length > MAX_BODY) return undefined;
  return pos + HEADER + length + TRAILER;
}

export function tryFrame(bytes: Buffer, pos: number): { record: StoreRecord; end: number } | undefined {
  const end = frameEnd(bytes, pos);
  if (end === undefined || end > bytes.length) return undefined;
  if (crc32(bytes, pos + 1, end - TRAILER) !== bytes.readUInt32BE(end - TRAILER)) return undefined;
  try {
    return { record: decodeBody(kindOf(bytes[pos + 1]!)!, bytes.subarray(pos + HEADER, end - TRAILER)), end };
  } catch {
    return undefined;
  }
}

export function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

/** Make a rename or a new file in `dir` durable. */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function storeError(err: unknown, path: string, what: string): LabError {
  return new LabError('ERR_BROKER_STORE_IO', `${path}: ${what}: ${(err as Error).message}`, {
    cause: err,
    details: { path },
  });
}
